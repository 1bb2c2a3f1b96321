#include "abft/abft_config.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"

namespace saffire::abft {
namespace {

constexpr StatisticalConstants kLinear{1.273, 20.076, 5.951, false};
constexpr StatisticalConstants kAttention{1.530, 24.660, 8.04, false};

std::string where(const std::string& origin, const toml::node& node, const std::string& key) {
  return origin + ":" + std::to_string(node.source().begin.line) + ": abft." + key;
}

std::string read_string(const toml::node& n, const std::string& at) {
  const auto v = n.value<std::string>();
  if (!n.is_string() || !v) throw ConfigError(at + ": expected a string");
  return *v;
}

void read_constants(const toml::node& node, const std::string& origin, const std::string& prefix,
                    StatisticalConstants& out) {
  const toml::table* t = node.as_table();
  if (!t) throw ConfigError(where(origin, node, prefix) + ": expected a table");
  for (const auto& [key, n] : *t) {
    const std::string k(key.str());
    const std::string at = where(origin, n, prefix + "." + k);
    if (k == "line_only") {
      const auto v = n.value_exact<bool>();
      if (!v) throw ConfigError(at + ": expected true or false");
      out.line_only = *v;
      continue;
    }
    const auto v = n.value<double>();
    if (!v || !std::isfinite(*v)) throw ConfigError(at + ": expected a number");
    if (k == "a") {
      out.a = *v;
    } else if (k == "b") {
      out.b = *v;
    } else if (k == "theta_freq") {
      out.theta_freq = *v;
    } else {
      throw ConfigError(at + ": unknown key (expected a, b, theta_freq, line_only)");
    }
  }
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
  for (int i = 0; i < models::kNumComponents; ++i) {
    const StatisticalConstants& k = constants[static_cast<std::size_t>(i)];
    if (!(k.a > 0) || !std::isfinite(k.b) || !std::isfinite(k.theta_freq))
      throw ConfigError("abft.component." + std::string(models::to_string(static_cast<models::Component>(i))) +
                        ": expected a > 0 and finite b, theta_freq");
  }
}

std::string_view to_string(DecisionScope s) {
  return s == DecisionScope::Gemm ? "gemm" : s == DecisionScope::Tile ? "tile" : "fold";
}
std::string_view to_string(RecoverAt r) { return r == RecoverAt::Nominal ? "nominal" : "same-voltage"; }

AbftConfig parse_abft_config(const std::string& toml_text, const std::string& origin) {
  const toml::table root = parse_toml(toml_text, origin);
  AbftConfig cfg;
  const toml::node* node = root.get("abft");
  if (!node) return cfg;
  const toml::table* abft = node->as_table();
  if (!abft) throw ConfigError(origin + ": 'abft' must be a table ([abft])");
  // Class tables first, then per-component overrides, whatever their order in the file.
  const auto apply_class = [&](const char* name, std::initializer_list<models::Component> members) {
    if (const toml::node* n = abft->get(name)) {
      StatisticalConstants k = cfg.constants_for(*members.begin());
      read_constants(*n, origin, name, k);
      for (models::Component c : members) cfg.constants[static_cast<std::size_t>(c)] = k;
    }
  };
  using models::Component;
  apply_class("linear", {Component::Q, Component::K, Component::V, Component::Gate, Component::Up});
  apply_class("attention", {Component::QK, Component::PV});
  apply_class("sensitive", {Component::O, Component::Down});
  for (const auto& [key, n] : *abft) {
    const std::string k(key.str());
    const std::string at = where(origin, n, k);
    if (k == "linear" || k == "attention" || k == "sensitive") continue;
    if (k == "scheme") {
      cfg.scheme = arch::parse_scheme(read_string(n, at), at);
    } else if (k == "scope") {
      const std::string s = read_string(n, at);
      if (s != "gemm" && s != "tile" && s != "fold")
        throw ConfigError(at + ": expected \"gemm\", \"tile\" or \"fold\", got \"" + s + "\"");
      cfg.scope = s == "gemm" ? DecisionScope::Gemm : s == "tile" ? DecisionScope::Tile : DecisionScope::Fold;
    } else if (k == "recover_at") {
      const std::string s = read_string(n, at);
      if (s != "nominal" && s != "same-voltage")
        throw ConfigError(at + ": expected \"nominal\" or \"same-voltage\", got \"" + s + "\"");
      cfg.recover_at = s == "nominal" ? RecoverAt::Nominal : RecoverAt::SameVoltage;
    } else if (k == "max_retries") {
      const auto v = n.value<std::int64_t>();
      if (!n.is_integer() || !v || *v < 0 || *v > 100) throw ConfigError(at + ": expected an integer in [0, 100]");
      cfg.max_retries = static_cast<int>(*v);
    } else if (k == "checksums_exposed") {
      const auto v = n.value_exact<bool>();
      if (!v) throw ConfigError(at + ": expected true or false");
      cfg.checksums_exposed = *v;
    } else if (k == "component") {
      const toml::table* t = n.as_table();
      if (!t) throw ConfigError(at + ": expected a table of components ([abft.component.k])");
      for (const auto& [ckey, cn] : *t) {
        const std::string name(ckey.str());
        models::Component c;
        try {
          c = models::parse_component(name);
        } catch (const std::invalid_argument& e) {
          throw ConfigError(where(origin, cn, "component." + name) + ": " + e.what());
        }
        read_constants(cn, origin, "component." + name, cfg.constants[static_cast<std::size_t>(c)]);
      }
    } else {
      throw ConfigError(at +
                        ": unknown key (expected scheme, scope, recover_at, max_retries, checksums_exposed, linear, "
                        "attention, sensitive, component)");
    }
  }
  try {
    cfg.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(origin + ": " + e.what());
  }
  return cfg;
}

AbftConfig load_abft_config(const std::filesystem::path& path) {
  return parse_abft_config(read_text_file(path, "config file"), path.string());
}

std::string to_toml(const AbftConfig& cfg) {
  std::ostringstream out;
  out.precision(17);
  out << "[abft]\nscheme = \"" << arch::to_string(cfg.scheme) << "\"\nscope = \"" << to_string(cfg.scope)
      << "\"\nrecover_at = \"" << to_string(cfg.recover_at) << "\"\nmax_retries = " << cfg.max_retries
      << "\nchecksums_exposed = " << (cfg.checksums_exposed ? "true" : "false") << "\n";
  for (int i = 0; i < models::kNumComponents; ++i) {
    const StatisticalConstants& k = cfg.constants[static_cast<std::size_t>(i)];
    out << "\n[abft.component." << models::to_string(static_cast<models::Component>(i)) << "]\na = " << k.a
        << "\nb = " << k.b << "\ntheta_freq = " << k.theta_freq << "\nline_only = " << (k.line_only ? "true" : "false")
        << "\n";
  }
  return out.str();
}

}  // namespace saffire::abft
