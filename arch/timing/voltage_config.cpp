#include "arch/timing/voltage_config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"

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

std::string where(const std::string& origin, const toml::node& node, const std::string& key) {
  return origin + ":" + std::to_string(node.source().begin.line) + ": voltage." + key;
}

constexpr const char* kKeys = "v_nominal, v, vth, alpha, clock_ghz, guard_band, sigma, chip_seed";

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
  const toml::table root = parse_toml(toml_text, origin);
  VoltageConfig cfg;
  const toml::node* vnode = root.get("voltage");
  if (!vnode) return cfg;
  const toml::table* table = vnode->as_table();
  if (!table) throw ConfigError(origin + ": 'voltage' must be a table ([voltage])");

  static const std::set<std::string> known = {"v_nominal", "v",          "vth",   "alpha",
                                              "clock_ghz", "guard_band", "sigma", "chip_seed"};
  for (const auto& [key, node] : *table) {
    if (!known.count(std::string(key.str())))
      throw ConfigError(where(origin, node, std::string(key.str())) + ": unknown key (expected one of " + kKeys + ")");
  }
  const auto read_double = [&](const char* key, double& out) {
    const toml::node* n = table->get(key);
    if (!n) return;
    auto x = n->value<double>();  // integers are accepted too
    if (!x || !(n->is_floating_point() || n->is_integer()))
      throw ConfigError(where(origin, *n, key) + ": expected a number");
    out = *x;
  };
  read_double("v_nominal", cfg.v_nominal);
  read_double("v", cfg.v);
  read_double("vth", cfg.vth);
  read_double("alpha", cfg.alpha);
  read_double("clock_ghz", cfg.clock_ghz);
  read_double("guard_band", cfg.guard_band);
  read_double("sigma", cfg.sigma);
  if (const toml::node* n = table->get("chip_seed")) {
    auto x = n->value<std::int64_t>();
    if (!n->is_integer() || !x) throw ConfigError(where(origin, *n, "chip_seed") + ": expected an integer");
    if (*x < 0) throw ConfigError(where(origin, *n, "chip_seed") + ": expected a non-negative integer");
    cfg.chip_seed = static_cast<std::uint64_t>(*x);
  }
  try {
    cfg.validate();
  } catch (const ConfigError& e) {
    // Point at the line of the offending key when it was given in the file.
    std::string msg = e.what();
    const std::string prefix = "voltage.";
    const std::size_t colon = msg.find(':');
    if (msg.rfind(prefix, 0) == 0 && colon != std::string::npos) {
      const std::string key = msg.substr(prefix.size(), colon - prefix.size());
      if (const toml::node* n = table->get(key))
        throw ConfigError(origin + ":" + std::to_string(n->source().begin.line) + ": " + msg);
    }
    throw ConfigError(origin + ": " + msg);
  }
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
