#include "arch/timing/voltage_config.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

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
  require(std::isfinite(v_nominal) && v_nominal > 0.0 && v_nominal <= 5.0, "v_nominal", "a voltage in (0, 5] V",
          v_nominal);
  require(std::isfinite(vth) && vth >= 0.0 && vth < v_nominal, "vth",
          "a threshold voltage in [0, v_nominal = " + num(v_nominal) + ") V", vth);
  require(std::isfinite(v) && v > vth && v <= 2.0 * v_nominal, "v",
          "an operating voltage above vth = " + num(vth) + " V and at most 2 * v_nominal", v);
  require(std::isfinite(alpha) && alpha >= 1.0 && alpha <= 2.0, "alpha", "an alpha-power index in [1, 2]", alpha);
  require(std::isfinite(clock_ghz) && clock_ghz > 0.0 && clock_ghz <= 100.0, "clock_ghz",
          "a positive frequency in GHz up to 100", clock_ghz);
  require(std::isfinite(guard_band) && guard_band >= 0.0 && guard_band < 0.5, "guard_band",
          "a fraction of the clock period in [0, 0.5)", guard_band);
  // sigma <= 0.1 keeps pe_factor = 1 + sigma * z >= 0.32 for every z the Box-Muller draw from 32-bit
  // uniforms can produce (|z| <= sqrt(2 * 32 * ln 2) < 6.7).
  require(std::isfinite(sigma) && sigma >= 0.0 && sigma <= 0.1, "sigma", "a relative delay spread in [0, 0.1]", sigma);
}

VoltageConfig parse_voltage_config(const std::string& toml_text, const std::string& origin) {
  const toml::table doc = parse_toml(toml_text, origin);
  TomlTableReader root(doc, origin, "");
  VoltageConfig cfg;
  TomlTableReader* table = root.table("voltage");  // other tables belong to other readers
  if (!table) return cfg;
  cfg.v_nominal = table->get_or("v_nominal", cfg.v_nominal);
  cfg.v = table->get_or("v", cfg.v);
  cfg.vth = table->get_or("vth", cfg.vth);
  cfg.alpha = table->get_or("alpha", cfg.alpha);
  cfg.clock_ghz = table->get_or("clock_ghz", cfg.clock_ghz);
  cfg.guard_band = table->get_or("guard_band", cfg.guard_band);
  cfg.sigma = table->get_or("sigma", cfg.sigma);
  cfg.chip_seed = table->get_or("chip_seed", cfg.chip_seed);  // a non-negative integer
  table->finish();
  table->validate([&] { cfg.validate(); });  // ranges depend on each other (vth < v_nominal, ...)
  return cfg;
}

VoltageConfig load_voltage_config(const std::filesystem::path& path) {
  return parse_voltage_config(read_text_file(path, "config file"), path.string());
}

std::string to_toml(const VoltageConfig& cfg) {
  std::ostringstream out;
  out << "[voltage]\nv_nominal = " << num(cfg.v_nominal) << "\nv = " << num(cfg.v) << "\nvth = " << num(cfg.vth)
      << "\nalpha = " << num(cfg.alpha) << "\nclock_ghz = " << num(cfg.clock_ghz)
      << "\nguard_band = " << num(cfg.guard_band) << "\nsigma = " << num(cfg.sigma) << "\nchip_seed = " << cfg.chip_seed
      << "\n";
  return out.str();
}

}  // namespace saffire::arch
