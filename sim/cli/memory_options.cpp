#include "sim/cli/memory_options.hpp"

#include <charconv>

#include "arch/config_error.hpp"
#include "arch/tech/dram_energy.hpp"
#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/memory_model_factory.hpp"

namespace saffire::cli {

void MemoryOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--memory", m_model,
                 "memory model: " + memory::memory_model_names() + " (overrides [memory] model; default ideal)");
  cmd.add_option("--sram-kb", m_sram_kb, "scratchpad sizes in kB, I,F,O: ifmap (X), filter (W), ofmap (Y)");
  cmd.add_option("--bandwidth", m_bandwidth, "DRAM interface bandwidth in words per cycle (overrides [memory] bandwidth)");
  cmd.add_flag("--calc-bandwidth", m_calc,
               "also report the bandwidth each operand needs for zero stalls, average and peak (SCALE-Sim's CALC)");
  cmd.add_option("--sram-voltage", m_sram_voltage,
                 "the scratchpads' supply in V, their own domain (overrides [memory] sram_voltage; default the "
                 "nominal [arch] v_nominal): SRAM energy and bit-cell failures");
  cmd.add_option("--dram-energy", m_dram_energy,
                 "DRAM standard of the energy figures: " + arch::dram_energy_names() +
                     " (overrides [memory] dram_energy; default the DRAM preset, else HBM2E)");
  cmd.add_option("--dram-preset", m_dram_preset,
                 "memory model dram: a DRAM preset (DDR4-3200, LPDDR5-6400, HBM2E, HBM3; default HBM2E) or a "
                 "preset file FILE.toml (overrides [memory] dram_preset)");
  cmd.add_option("--sram-failure-table", m_sram_failure_table,
                 "CSV voltage,probability: the scratchpads' bit-cell failure probability per supply (overrides [memory] "
                 "sram_failure_table; default the Gaussian Vmin model, arch/tech/README.md); with --sram-voltage, "
                 "stored weights and activations get bit errors");
  cmd.add_option("--scalesim-config", m_scalesim_path,
                 "a SCALE-Sim v2 .cfg: its array size, dataflow, SRAM sizes and bandwidth (memory model scalesim)");
}

const std::optional<memory::ScalesimConfigFile>& MemoryOptions::scalesim() const {
  if (!m_scalesim)
    m_scalesim = m_scalesim_path.empty() ? std::nullopt
                                         : std::optional(memory::load_scalesim_config(m_scalesim_path));
  return *m_scalesim;
}

void MemoryOptions::apply_scalesim_array(arch::ArrayConfig& cfg) const {
  if (const auto& s = scalesim()) {
    cfg.rows = s->rows;
    cfg.cols = s->cols;
    cfg.dataflow = s->dataflow;
  }
}

memory::MemoryConfig MemoryOptions::resolve(const std::string& config_path) const {
  memory::MemoryConfig cfg = config_path.empty() ? memory::MemoryConfig{} : memory::load_memory_config(config_path);
  if (const auto& s = scalesim()) cfg = s->memory;
  if (m_model) {
    memory::memory_model_entry(*m_model, "command line: --memory");
    cfg.model = *m_model;
    cfg.origin["model"] = "command line: --memory";
  }
  if (m_sram_kb) {
    const std::string where = "command line: --sram-kb";
    std::int64_t kb[3] = {0, 0, 0};
    std::size_t at = 0;
    for (int i = 0; i < 3; ++i) {
      const std::size_t comma = i < 2 ? m_sram_kb->find(',', at) : m_sram_kb->size();
      const std::string part = comma == std::string::npos ? "" : m_sram_kb->substr(at, comma - at);
      const auto res = std::from_chars(part.data(), part.data() + part.size(), kb[i]);
      if (comma == std::string::npos || part.empty() || res.ec != std::errc() || res.ptr != part.data() + part.size() ||
          kb[i] < 1)
        throw ConfigError(where + ": expected three positive integers I,F,O (kB of the ifmap, filter and ofmap "
                          "scratchpads), got \"" + *m_sram_kb + "\"");
      at = comma + 1;
    }
    cfg.ifmap_sram_kb = kb[0];
    cfg.filter_sram_kb = kb[1];
    cfg.ofmap_sram_kb = kb[2];
    for (const char* key : {"ifmap_sram_kb", "filter_sram_kb", "ofmap_sram_kb"}) cfg.origin[key] = where;
  }
  if (m_bandwidth) {
    if (*m_bandwidth < 1)
      throw ConfigError("command line: --bandwidth: expected a positive number of words per cycle, got " +
                        std::to_string(*m_bandwidth));
    cfg.bandwidth = *m_bandwidth;
    cfg.origin["bandwidth"] = "command line: --bandwidth";
  }
  if (m_dram_preset) {
    if (!memory::is_dram_preset_file(*m_dram_preset)) try {
        memory::dram::dram_preset(*m_dram_preset);
      } catch (const ConfigError& e) {
        throw ConfigError(std::string("command line: --dram-preset: ") + e.what() + " or a preset file FILE.toml");
      }
    cfg.dram_preset = *m_dram_preset;
    cfg.origin["dram_preset"] = "command line: --dram-preset";
  }
  if (m_calc) {
    cfg.calc_bandwidth = true;
    cfg.origin["calc_bandwidth"] = "command line: --calc-bandwidth";
  }
  if (m_sram_voltage) {
    cfg.sram_voltage = *m_sram_voltage;
    cfg.origin["sram_voltage"] = "command line: --sram-voltage";
  }
  if (m_sram_failure_table) {
    cfg.sram_failure_table = *m_sram_failure_table;
    cfg.origin["sram_failure_table"] = "command line: --sram-failure-table";
  }
  if (m_dram_energy) {
    cfg.dram_energy = *m_dram_energy;
    cfg.origin["dram_energy"] = "command line: --dram-energy";
  }
  try {
    cfg.validate();
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    throw ConfigError(what.rfind("command line: ", 0) == 0 ? what : "command line: " + what);
  }
  return cfg;
}

std::optional<faults::SramFaultConfig> sram_fault_config(const memory::MemoryConfig& cfg, std::uint64_t seed) {
  if (!cfg.sram_voltage) return std::nullopt;
  faults::SramFaultConfig f;
  f.bit_probability = cfg.sram_failure_curve().probability(*cfg.sram_voltage);
  f.seed = seed;
  return f;
}

void add_memory_json(nlohmann::json& j, const memory::MemoryReport& r) {
  auto words = [](const memory::OperandWords& w) {
    return nlohmann::json{{"ifmap", w.ifmap}, {"filter", w.filter}, {"ofmap", w.ofmap}};
  };
  j["stall_cycles"] = r.stall_cycles;
  j["total_cycles"] = r.total_cycles;
  j["sram_reads"] = words(r.sram_reads);
  j["sram_writes"] = words(r.sram_writes);
  j["dram_reads"] = words(r.dram_reads);
  j["dram_writes"] = words(r.dram_writes);
  if (r.has_dram) j["dram"] = dram_json(r.dram);
  if (r.has_required) {
    auto bw = [](const memory::RequiredBandwidth& b) { return nlohmann::json{{"average", b.average}, {"peak", b.peak}}; };
    j["required_bandwidth"] = {{"ifmap", bw(r.required_ifmap)}, {"filter", bw(r.required_filter)},
                               {"ofmap", bw(r.required_ofmap)}};
  }
}

}  // namespace saffire::cli

namespace saffire::cli {

nlohmann::json dram_json(const memory::DramTraffic& d) {
  return {{"preset", d.preset},           {"bytes_read", d.bytes_read},       {"bytes_written", d.bytes_written},
          {"requests", d.requests},       {"row_hits", d.row_hits},           {"row_misses", d.row_misses},
          {"row_conflicts", d.row_conflicts}, {"row_hit_rate", d.row_hit_rate()}, {"achieved_gbps", d.achieved_gbps}};
}

}  // namespace saffire::cli
