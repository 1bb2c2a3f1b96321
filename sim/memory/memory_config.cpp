#include "sim/memory/memory_config.hpp"

#include <filesystem>
#include <iomanip>
#include <sstream>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"
#include "arch/toml_table_reader.hpp"
#include "arch/tech/dram_energy.hpp"
#include "sim/memory/memory_model_factory.hpp"

namespace saffire::memory {

void MemoryConfig::validate() const {
  auto positive = [](const char* key, std::int64_t v) {
    if (v < 1) throw ConfigError(std::string("memory.") + key + ": expected a positive integer, got " + std::to_string(v));
  };
  positive("ifmap_sram_kb", ifmap_sram_kb);
  positive("filter_sram_kb", filter_sram_kb);
  positive("ofmap_sram_kb", ofmap_sram_kb);
  positive("bandwidth", bandwidth);
  positive("banks", banks);
  if (input_word_bytes != 1 && input_word_bytes != 2 && input_word_bytes != 4)
    throw ConfigError("memory.input_word_bytes: expected 1, 2 or 4, got " + std::to_string(input_word_bytes));
  if (output_word_bytes != 1 && output_word_bytes != 2 && output_word_bytes != 4)
    throw ConfigError("memory.output_word_bytes: expected 1, 2 or 4, got " + std::to_string(output_word_bytes));
  if (sram_voltage && !(*sram_voltage >= kMinSramVoltage && *sram_voltage <= kMaxSramVoltage)) {
    std::ostringstream msg;
    msg << where("sram_voltage") << ": expected a supply in [" << kMinSramVoltage << ", " << kMaxSramVoltage
        << "] V, got " << *sram_voltage;
    throw ConfigError(msg.str());
  }
  const MemoryModelEntry& entry = memory_model_entry(model, "memory.model");
  if (!dram_preset.empty()) {
    if (entry.presets.empty())
      throw ConfigError("memory.dram_preset: model '" + model + "' takes no DRAM preset (got '" + dram_preset + "')");
    std::string valid;
    bool known = false;
    for (std::string_view p : entry.presets) {
      known = known || p == dram_preset;
      valid += (valid.empty() ? "" : ", ") + std::string(p);
    }
    if (!known && !is_dram_preset_file(dram_preset))  // a preset file is read (and checked) when the model is built
      throw ConfigError("memory.dram_preset: unknown preset '" + dram_preset + "' (expected one of: " + valid +
                        ", or a preset file *.toml)");
  }
  // The energy figures need a table of the standard (a user DRAM preset names its standard in dram_energy).
  arch::dram_energy(dram_energy_standard(), dram_energy.empty() ? where("dram_preset") : where("dram_energy"));
}

std::string MemoryConfig::where(const std::string& key) const {
  const auto it = origin.find(key);
  return it != origin.end() ? it->second : "memory." + key + " (default)";
}

arch::SramFailureCurve MemoryConfig::sram_failure_curve() const {
  if (!sram_failure_table.empty()) return arch::load_sram_failure_table(sram_failure_table);
  return arch::SramFailureCurve::gaussian_vmin(sram_vmin_mean.value_or(arch::kDefaultSramVminMean),
                                               sram_vmin_sigma.value_or(arch::kDefaultSramVminSigma));
}

std::string MemoryConfig::dram_energy_standard() const {
  if (!dram_energy.empty()) return dram_energy;
  return dram_preset.empty() ? "HBM2E" : dram_preset;
}

MemoryConfig parse_memory_config(const std::string& toml_text, const std::string& origin) {
  const toml::table doc = parse_toml(toml_text, origin);
  check_config_tables(doc, origin);
  TomlTableReader root(doc, origin, "");
  MemoryConfig cfg;
  TomlTableReader* mem = root.table("memory");  // other tables belong to other readers
  if (!mem) return cfg;
  if (const auto m = mem->optional<std::string>("model")) {
    memory_model_entry(*m, mem->where("model"));  // an unknown name lists the valid ones
    cfg.model = *m;
  }
  cfg.ifmap_sram_kb = mem->get_or("ifmap_sram_kb", cfg.ifmap_sram_kb, positive<std::int64_t>());
  cfg.filter_sram_kb = mem->get_or("filter_sram_kb", cfg.filter_sram_kb, positive<std::int64_t>());
  cfg.ofmap_sram_kb = mem->get_or("ofmap_sram_kb", cfg.ofmap_sram_kb, positive<std::int64_t>());
  cfg.input_word_bytes = mem->get_or("input_word_bytes", cfg.input_word_bytes, in_range(1, 4));
  cfg.output_word_bytes = mem->get_or("output_word_bytes", cfg.output_word_bytes, in_range(1, 4));
  cfg.double_buffered = mem->get_or("double_buffered", cfg.double_buffered);
  cfg.banks = mem->get_or("banks", cfg.banks, positive<int>());
  cfg.bandwidth = mem->get_or("bandwidth", cfg.bandwidth, positive<std::int64_t>());
  cfg.calc_bandwidth = mem->get_or("calc_bandwidth", cfg.calc_bandwidth);
  cfg.dram_preset = mem->get_or("dram_preset", cfg.dram_preset);
  if (const auto v = mem->optional<double>("sram_voltage", in_range(kMinSramVoltage, kMaxSramVoltage))) cfg.sram_voltage = *v;
  cfg.dram_energy = mem->get_or("dram_energy", cfg.dram_energy);
  // A preset file is relative to the config file that names it.
  if (is_dram_preset_file(cfg.dram_preset) && std::filesystem::path(cfg.dram_preset).is_relative())
    cfg.dram_preset = (std::filesystem::path(origin).parent_path() / cfg.dram_preset).string();
  if (const auto v = mem->optional<double>("sram_vmin_mean", in_range(0.01, 1.99))) cfg.sram_vmin_mean = *v;
  if (const auto v = mem->optional<double>("sram_vmin_sigma", in_range(0.001, 0.999))) cfg.sram_vmin_sigma = *v;
  if (const auto t = mem->optional<std::string>("sram_failure_table")) {
    if (t->empty()) throw ConfigError(mem->where("sram_failure_table") + ": expected a CSV file path, got \"\"");
    // Paths resolve relative to the config file.
    const std::filesystem::path p(*t);
    cfg.sram_failure_table = p.is_absolute() ? p.string() : (std::filesystem::path(origin).parent_path() / p).string();
  }
  for (const char* key : {"model", "ifmap_sram_kb", "filter_sram_kb", "ofmap_sram_kb", "input_word_bytes",
                          "output_word_bytes", "double_buffered", "banks", "bandwidth", "calc_bandwidth",
                          "dram_preset", "sram_voltage", "dram_energy", "sram_vmin_mean", "sram_vmin_sigma",
                          "sram_failure_table"})
    if (doc["memory"][key]) cfg.origin[key] = mem->where(key);
  mem->finish();
  mem->validate([&] { cfg.validate(); });
  return cfg;
}

MemoryConfig load_memory_config(const std::filesystem::path& path) {
  return parse_memory_config(read_text_file(path, "config file"), path.string());
}

namespace {
// A TOML basic string.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string to_toml(const MemoryConfig& cfg) {
  std::ostringstream out;
  out << "[memory]\nmodel = \"" << cfg.model << "\"\nifmap_sram_kb = " << cfg.ifmap_sram_kb
      << "\nfilter_sram_kb = " << cfg.filter_sram_kb << "\nofmap_sram_kb = " << cfg.ofmap_sram_kb
      << "\ninput_word_bytes = " << cfg.input_word_bytes << "\noutput_word_bytes = " << cfg.output_word_bytes
      << "\ndouble_buffered = " << (cfg.double_buffered ? "true" : "false") << "\nbanks = " << cfg.banks
      << "\nbandwidth = " << cfg.bandwidth << "\ncalc_bandwidth = " << (cfg.calc_bandwidth ? "true" : "false")
      << "\ndram_preset = \"" << cfg.dram_preset << "\"\ndram_energy = \"" << cfg.dram_energy << "\"\n";
  out << std::setprecision(17) << std::showpoint;
  if (cfg.sram_voltage) out << "sram_voltage = " << *cfg.sram_voltage << "\n";
  if (cfg.sram_vmin_mean) out << "sram_vmin_mean = " << *cfg.sram_vmin_mean << "\n";
  if (cfg.sram_vmin_sigma) out << "sram_vmin_sigma = " << *cfg.sram_vmin_sigma << "\n";
  if (!cfg.sram_failure_table.empty()) out << "sram_failure_table = " << quoted(cfg.sram_failure_table) << "\n";
  return out.str();
}

}  // namespace saffire::memory
