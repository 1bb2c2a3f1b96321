#include "arch/array_config_file.hpp"

#include <charconv>
#include <optional>
#include <sstream>

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

// [arch] operand_type, accumulator_type, output_buffer_type, fma; operand_bits / accumulator_bits
// (older files) must agree with the types.
void read_numerics(TomlTableReader& arch, ArrayConfig& cfg) {
  const auto format = [&](const char* key) -> std::optional<NumberFormat> {
    if (const auto s = arch.optional<std::string>(key)) return parse_number_format(*s, arch.where(key));
    return std::nullopt;
  };
  const std::optional<NumberFormat> operand = format("operand_type");
  const std::optional<NumberFormat> accumulator = format("accumulator_type");
  const std::optional<NumberFormat> output_buffer = format("output_buffer_type");
  set_numeric_types(cfg, operand, accumulator, output_buffer);
  cfg.numerics.fma = arch.get_or("fma", cfg.numerics.fma);
  cfg.operand_bits = arch.get_or("operand_bits", cfg.operand_bits);
  cfg.accumulator_bits = arch.get_or("accumulator_bits", cfg.accumulator_bits);
}

}  // namespace

ArrayConfig parse_array_config(const std::string& toml_text, const std::string& origin) {
  const toml::table doc = parse_toml(toml_text, origin);
  check_config_tables(doc, origin);
  TomlTableReader root(doc, origin, "");
  ArrayConfig cfg;
  TomlTableReader* arch = root.table("arch");  // other tables belong to other readers
  if (!arch) return cfg;
  cfg.rows = arch->get_or("rows", cfg.rows);
  cfg.cols = arch->get_or("cols", cfg.cols);
  if (const auto s = arch->optional<std::string>("dataflow"))
    cfg.dataflow = parse_dataflow(*s, arch->where("dataflow"));  // case-insensitive, as on the command line
  read_numerics(*arch, cfg);
  cfg.clock_ghz = arch->get_or("clock_ghz", cfg.clock_ghz);
  cfg.v_nominal = arch->get_or("v_nominal", cfg.v_nominal);
  cfg.os_drain = arch->get_or("os_drain", cfg.os_drain);
  arch->finish();
  arch->validate([&] { cfg.validate(); });
  return cfg;
}

ArrayConfig load_array_config(const std::filesystem::path& path) {
  return parse_array_config(read_text_file(path, "config file"), path.string());
}

std::string to_toml(const ArrayConfig& cfg) {
  std::ostringstream out;
  out << "[arch]\nrows = " << cfg.rows << "\ncols = " << cfg.cols << "\ndataflow = \"" << to_string(cfg.dataflow)
      << "\"\noperand_type = \"" << to_string(cfg.numerics.operand) << "\"\naccumulator_type = \""
      << to_string(cfg.numerics.accumulator) << "\"\noutput_buffer_type = \"" << to_string(cfg.numerics.output_buffer)
      << "\"\nfma = " << (cfg.numerics.fma ? "true" : "false")
      << "\nclock_ghz = " << num(cfg.clock_ghz) << "\nv_nominal = " << num(cfg.v_nominal)
      << "\nos_drain = " << (cfg.os_drain ? "true" : "false") << "\n";
  return out.str();
}

}  // namespace saffire::arch
