#include "arch/array_config_file.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"

namespace saffire::arch {
namespace {

std::string where(const std::string& origin, const toml::node& node, const std::string& key) {
  const auto& src = node.source();
  return origin + ":" + std::to_string(src.begin.line) + ": arch." + key;
}

template <typename T>
void read_int(const toml::table& arch, const std::string& origin, const std::string& key, T& out) {
  const toml::node* node = arch.get(key);
  if (!node) return;
  auto v = node->value<std::int64_t>();
  if (!node->is_integer() || !v) throw ConfigError(where(origin, *node, key) + ": expected an integer");
  out = static_cast<T>(*v);
  if (static_cast<std::int64_t>(out) != *v) throw ConfigError(where(origin, *node, key) + ": value out of range");
}

}  // namespace

ArrayConfig parse_array_config(const std::string& toml_text, const std::string& origin) {
  const toml::table root = parse_toml(toml_text, origin);
  ArrayConfig cfg;
  const toml::node* arch_node = root.get("arch");
  if (!arch_node) return cfg;
  const toml::table* arch = arch_node->as_table();
  if (!arch) throw ConfigError(origin + ": 'arch' must be a table ([arch])");

  static const std::set<std::string> known = {"rows", "cols", "dataflow", "operand_bits", "accumulator_bits",
                                              "clock_ghz", "os_drain"};
  for (const auto& [key, node] : *arch) {
    if (!known.count(std::string(key.str())))
      throw ConfigError(where(origin, node, std::string(key.str())) +
                        ": unknown key (expected one of rows, cols, dataflow, operand_bits, accumulator_bits, "
                        "clock_ghz, os_drain)");
  }
  read_int(*arch, origin, "rows", cfg.rows);
  read_int(*arch, origin, "cols", cfg.cols);
  read_int(*arch, origin, "operand_bits", cfg.operand_bits);
  read_int(*arch, origin, "accumulator_bits", cfg.accumulator_bits);
  if (const toml::node* n = arch->get("dataflow")) {
    auto s = n->value<std::string>();
    if (!n->is_string() || !s) throw ConfigError(where(origin, *n, "dataflow") + ": expected \"ws\" or \"os\"");
    cfg.dataflow = parse_dataflow(*s, where(origin, *n, "dataflow"));
  }
  if (const toml::node* n = arch->get("clock_ghz")) {
    auto v = n->value<double>();  // integers are accepted too
    if (!v) throw ConfigError(where(origin, *n, "clock_ghz") + ": expected a number (GHz)");
    cfg.clock_ghz = *v;
  }
  if (const toml::node* n = arch->get("os_drain")) {
    auto v = n->value<bool>();
    if (!v) throw ConfigError(where(origin, *n, "os_drain") + ": expected true or false");
    cfg.os_drain = *v;
  }
  try {
    cfg.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(origin + ": " + e.what());
  }
  return cfg;
}

ArrayConfig load_array_config(const std::filesystem::path& path) {
  return parse_array_config(read_text_file(path, "config file"), path.string());
}

std::string to_toml(const ArrayConfig& cfg) {
  std::ostringstream out;
  out << "[arch]\nrows = " << cfg.rows << "\ncols = " << cfg.cols << "\ndataflow = \"" << to_string(cfg.dataflow)
      << "\"\noperand_bits = " << cfg.operand_bits << "\naccumulator_bits = " << cfg.accumulator_bits
      << "\nclock_ghz = " << cfg.clock_ghz << "\nos_drain = " << (cfg.os_drain ? "true" : "false") << "\n";
  return out.str();
}

}  // namespace saffire::arch
