#include "arch/timing/voltage_config.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include "arch/array_config_file.hpp"
#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"
#include "arch/toml_table_reader.hpp"

namespace saffire::arch {
namespace {

// Shortest text that reads back as the same double.
std::string num(double x) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

void require(bool ok, const char* key, const std::string& expected, double got) {
  if (!ok) throw ConfigError(std::string("voltage.") + key + ": expected " + expected + ", got " + num(got));
}

}  // namespace

void VoltageConfig::validate() const {
  // v_nominal and clock_ghz are the run's [arch] values (ArrayConfig::validate checks them the same way).
  if (!(std::isfinite(v_nominal) && v_nominal > 0.0 && v_nominal <= 5.0))
    throw ConfigError("arch.v_nominal: expected a nominal supply in (0, 5] V, got " + num(v_nominal));
  if (!(std::isfinite(clock_ghz) && clock_ghz > 0.0 && clock_ghz <= 100.0))
    throw ConfigError("arch.clock_ghz: expected a positive frequency in GHz up to 100, got " + num(clock_ghz));
  require(std::isfinite(vth) && vth >= 0.0 && vth < v_nominal, "vth",
          "a threshold voltage in [0, arch.v_nominal = " + num(v_nominal) + ") V", vth);
  require(std::isfinite(v) && v > vth && v <= 2.0 * v_nominal, "v",
          "an operating voltage above vth = " + num(vth) + " V and at most 2 * arch.v_nominal = " +
              num(2.0 * v_nominal) + " V",
          v);
  require(std::isfinite(alpha) && alpha >= 1.0 && alpha <= 2.0, "alpha", "an alpha-power index in [1, 2]", alpha);
  require(std::isfinite(guard_band) && guard_band >= 0.0 && guard_band < 0.5, "guard_band",
          "a fraction of the clock period in [0, 0.5)", guard_band);
  // sigma <= 0.1 keeps pe_factor = 1 + sigma * z >= 0.32 for every z the Box-Muller draw from 32-bit
  // uniforms can produce (|z| <= sqrt(2 * 32 * ln 2) < 6.7).
  require(std::isfinite(sigma) && sigma >= 0.0 && sigma <= 0.1, "sigma", "a relative delay spread in [0, 0.1]", sigma);
}

VoltageConfig voltage_defaults(const ArrayConfig& run) {
  VoltageConfig cfg;
  cfg.v_nominal = run.v_nominal;
  cfg.clock_ghz = run.clock_ghz;
  cfg.v = run.v_nominal;
  return cfg;
}

VoltageConfig parse_voltage_config(const std::string& toml_text, const std::string& origin, const ArrayConfig& run) {
  const toml::table doc = parse_toml(toml_text, origin);
  check_config_tables(doc, origin);
  TomlTableReader root(doc, origin, "");
  VoltageConfig cfg = voltage_defaults(run);
  TomlTableReader* table = root.table("voltage");  // other tables belong to other readers
  if (!table) return cfg;
  // One nominal supply and one clock per run, in [arch]: the old [voltage] keys are errors, not ignored.
  for (const char* moved : {"v_nominal", "clock_ghz"}) {
    if (table->node(moved))
      throw ConfigError(table->where(moved) + ": moved to [arch] " + moved + " (the run's one " +
                        (std::string(moved) == "v_nominal" ? "nominal supply, --v-nominal" : "clock, --clock-ghz") +
                        " on the command line); remove it from [voltage]");
  }
  cfg.v = table->get_or("v", cfg.v);
  cfg.vth = table->get_or("vth", cfg.vth);
  cfg.alpha = table->get_or("alpha", cfg.alpha);
  cfg.guard_band = table->get_or("guard_band", cfg.guard_band);
  cfg.sigma = table->get_or("sigma", cfg.sigma);
  cfg.chip_seed = table->get_or("chip_seed", cfg.chip_seed);  // a non-negative integer
  table->finish();
  table->validate([&] { cfg.validate(); });  // ranges depend on each other (vth < v_nominal, ...)
  return cfg;
}

VoltageConfig parse_voltage_config(const std::string& toml_text, const std::string& origin) {
  return parse_voltage_config(toml_text, origin, parse_array_config(toml_text, origin));
}

VoltageConfig load_voltage_config(const std::filesystem::path& path, const ArrayConfig& run) {
  return parse_voltage_config(read_text_file(path, "config file"), path.string(), run);
}

VoltageConfig load_voltage_config(const std::filesystem::path& path) {
  return parse_voltage_config(read_text_file(path, "config file"), path.string());
}

std::string to_toml(const VoltageConfig& cfg) {
  std::ostringstream out;
  out << "[voltage]  # at [arch] v_nominal = " << num(cfg.v_nominal) << " V, clock_ghz = " << num(cfg.clock_ghz)
      << "\nv = " << num(cfg.v) << "\nvth = " << num(cfg.vth) << "\nalpha = " << num(cfg.alpha)
      << "\nguard_band = " << num(cfg.guard_band) << "\nsigma = " << num(cfg.sigma) << "\nchip_seed = " << cfg.chip_seed
      << "\n";
  return out.str();
}

}  // namespace saffire::arch
