#include "abft/abft_config.hpp"
#include "abft/fp_checksum.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"
#include "arch/toml_table_reader.hpp"

namespace saffire::abft {
namespace {

constexpr StatisticalConstants kLinear{1.273, 20.076, 5.951, false};
constexpr StatisticalConstants kAttention{1.530, 24.660, 8.04, false};

// A table of a, b, theta_freq, line_only ([abft.linear], [abft.component.k], ...): overrides `out` key by key.
void read_constants(TomlTableReader& t, StatisticalConstants& out) {
  out.a = t.get_or("a", out.a);
  out.b = t.get_or("b", out.b);
  out.theta_freq = t.get_or("theta_freq", out.theta_freq);
  out.line_only = t.get_or("line_only", out.line_only);
}

}  // namespace

std::array<StatisticalConstants, models::kNumComponents> AbftConfig::default_constants() {
  std::array<StatisticalConstants, models::kNumComponents> c{};
  c.fill(kLinear);
  c[static_cast<std::size_t>(models::Component::QK)] = kAttention;
  c[static_cast<std::size_t>(models::Component::PV)] = kAttention;
  for (models::Component s : {models::Component::O, models::Component::Down})
    c[static_cast<std::size_t>(s)].line_only = true;
  return c;
}

void AbftConfig::validate() const {
  if (max_retries < 0 || max_retries > 100)
    throw ConfigError("abft.max_retries: expected an integer in [0, 100], got " + std::to_string(max_retries));
  if (remap_after < 0 || remap_after > 1000000)
    throw ConfigError("abft.remap_after: expected an integer in [0, 1000000] (0: never), got " + std::to_string(remap_after));
  validate_fp_tolerance(fp_tolerance, "abft.fp_tolerance");
  if (!(std::isfinite(fp_lambda) && fp_lambda > 0))
    throw ConfigError("abft.fp_lambda: expected lambda > 0 (the probabilistic bound's multiple of sqrt(n) u), got " +
                      std::to_string(fp_lambda));
  for (int i = 0; i < models::kNumComponents; ++i) {
    const StatisticalConstants& k = constants[static_cast<std::size_t>(i)];
    if (!(k.a > 0) || !std::isfinite(k.b) || !std::isfinite(k.theta_freq))
      throw ConfigError("abft.component." + std::string(models::to_string(static_cast<models::Component>(i))) +
                        ": expected a > 0 and finite b, theta_freq");
  }
}

void AbftConfig::validate_for_float() const {
  const std::string_view n = scheme.name();
  if (n != "none" && n != "classic" && n != "statistical")
    throw ConfigError("abft.scheme: '" + std::string(n) +
                      "' has no floating-point form; floating-point PEs take none, classic or statistical "
                      "(checksums with a rounding tolerance, abft.fp_tolerance)");
}

std::string_view to_string(DecisionScope s) {
  return s == DecisionScope::Gemm ? "gemm" : s == DecisionScope::Tile ? "tile" : "fold";
}
std::string_view to_string(RecoverAt r) { return r == RecoverAt::Nominal ? "nominal" : "same-voltage"; }
std::string_view to_string(RemapTo r) { return r == RemapTo::SpareColumn ? "spare-column" : "extra-fold"; }
std::string_view to_string(ChecksumsFrom c) { return c == ChecksumsFrom::Sram ? "sram" : "before-sram"; }
std::string_view to_string(FpBound b) { return b == FpBound::Deterministic ? "deterministic" : "probabilistic"; }

AbftConfig parse_abft_config(const std::string& toml_text, const std::string& origin) {
  const toml::table doc = parse_toml(toml_text, origin);
  check_config_tables(doc, origin);
  TomlTableReader root(doc, origin, "");
  AbftConfig cfg;
  TomlTableReader* abft = root.table("abft");  // other tables belong to other readers
  if (!abft) return cfg;
  if (const auto s = abft->optional<std::string>("scheme")) cfg.scheme = Scheme::parse(*s, abft->where("scheme"));
  cfg.scope =
      abft->choice_or("scope", cfg.scope,
                      {{"gemm", DecisionScope::Gemm}, {"tile", DecisionScope::Tile}, {"fold", DecisionScope::Fold}});
  cfg.recover_at = abft->choice_or("recover_at", cfg.recover_at,
                                   {{"nominal", RecoverAt::Nominal}, {"same-voltage", RecoverAt::SameVoltage}});
  cfg.max_retries = abft->get_or("max_retries", cfg.max_retries);
  cfg.checksums_exposed = abft->get_or("checksums_exposed", cfg.checksums_exposed);
  cfg.remap_after = abft->get_or("remap_after", cfg.remap_after);
  cfg.remap_to = abft->choice_or("remap", cfg.remap_to, {{"spare-column", RemapTo::SpareColumn}, {"extra-fold", RemapTo::ExtraFold}});
  cfg.fp_tolerance = abft->get_or("fp_tolerance", cfg.fp_tolerance);
  cfg.fp_bound = abft->choice_or("fp_bound", cfg.fp_bound,
                                 {{"deterministic", FpBound::Deterministic}, {"probabilistic", FpBound::Probabilistic}});
  cfg.fp_lambda = abft->get_or("fp_lambda", cfg.fp_lambda);
  cfg.checksums_from = abft->choice_or("checksums_from", cfg.checksums_from,
                                       {{"sram", ChecksumsFrom::Sram}, {"before-sram", ChecksumsFrom::BeforeSram}});
  // Class tables first, then per-component overrides, whatever their order in the file.
  const auto apply_class = [&](const char* name, std::initializer_list<models::Component> members) {
    if (TomlTableReader* t = abft->table(name)) {
      StatisticalConstants k = cfg.constants_for(*members.begin());
      read_constants(*t, k);
      for (models::Component c : members) cfg.constants[static_cast<std::size_t>(c)] = k;
    }
  };
  using models::Component;
  apply_class("linear", {Component::Q, Component::K, Component::V, Component::Gate, Component::Up});
  apply_class("attention", {Component::QK, Component::PV});
  apply_class("sensitive", {Component::O, Component::Down});
  if (TomlTableReader* components = abft->table("component")) {
    for (const std::string& name : components->keys()) {
      models::Component c;
      try {
        c = models::parse_component(name);
      } catch (const std::invalid_argument& e) {
        throw ConfigError(components->where(name) + ": " + e.what());
      }
      read_constants(*components->table(name), cfg.constants[static_cast<std::size_t>(c)]);
    }
  }
  abft->finish();
  abft->validate([&] { cfg.validate(); });
  return cfg;
}

AbftConfig load_abft_config(const std::filesystem::path& path) {
  return parse_abft_config(read_text_file(path, "config file"), path.string());
}

std::string to_toml(const AbftConfig& cfg) {
  std::ostringstream out;
  out.precision(17);
  out << "[abft]\nscheme = \"" << cfg.scheme.name() << "\"\nscope = \"" << to_string(cfg.scope)
      << "\"\nrecover_at = \"" << to_string(cfg.recover_at) << "\"\nmax_retries = " << cfg.max_retries
      << "\nchecksums_exposed = " << (cfg.checksums_exposed ? "true" : "false") << "\nremap_after = " << cfg.remap_after
      << "\nremap = \"" << to_string(cfg.remap_to) << "\"\nchecksums_from = \"" << to_string(cfg.checksums_from)
      << "\"\nfp_tolerance = " << cfg.fp_tolerance << "\nfp_bound = \"" << to_string(cfg.fp_bound)
      << "\"\nfp_lambda = " << cfg.fp_lambda << "\n";
  for (int i = 0; i < models::kNumComponents; ++i) {
    const StatisticalConstants& k = cfg.constants[static_cast<std::size_t>(i)];
    out << "\n[abft.component." << models::to_string(static_cast<models::Component>(i)) << "]\na = " << k.a
        << "\nb = " << k.b << "\ntheta_freq = " << k.theta_freq << "\nline_only = " << (k.line_only ? "true" : "false")
        << "\n";
  }
  return out.str();
}

}  // namespace saffire::abft
