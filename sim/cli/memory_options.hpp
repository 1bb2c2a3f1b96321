#pragma once
// Command-line options of the memory system (gemm, topology): --memory, --sram-kb I,F,O, --bandwidth B,
// --calc-bandwidth, --dram-preset NAME|FILE.toml, --scalesim-config FILE.cfg, --sram-voltage V and --dram-energy NAME.
// Precedence: the [memory] table of --config, then the
// SCALE-Sim .cfg (which also gives the array's size and dataflow), then the single overrides.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "arch/array_config.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/faults/sram_faults.hpp"
#include "sim/memory/scalesim_config_file.hpp"

namespace saffire::cli {

class MemoryOptions {
 public:
  void add_to(CLI::App& cmd);
  /// The resolved [memory] config (validated; the "command line: --flag" origin for the overrides).
  memory::MemoryConfig resolve(const std::string& config_path) const;
  /// The array of --scalesim-config applied to `cfg` (size and dataflow); nothing without one. Call
  /// before the --rows/--cols/--dataflow overrides so that those still win.
  void apply_scalesim_array(arch::ArrayConfig& cfg) const;

 private:
  const std::optional<memory::ScalesimConfigFile>& scalesim() const;

  std::optional<std::string> m_model;
  std::optional<std::string> m_sram_kb;
  std::optional<std::int64_t> m_bandwidth;
  std::optional<std::string> m_dram_preset;
  bool m_calc = false;
  std::optional<double> m_sram_voltage;
  std::optional<std::string> m_dram_energy;
  std::optional<std::string> m_sram_failure_table;
  std::string m_scalesim_path;
  mutable std::optional<std::optional<memory::ScalesimConfigFile>> m_scalesim;  // read once
};

/// The SRAM errors of a model run: none unless sram_voltage is given; then every stored bit of the ifmap
/// and filter scratchpads fails with the failure curve's probability at that supply (seeded with `seed`).
std::optional<faults::SramFaultConfig> sram_fault_config(const memory::MemoryConfig& cfg, std::uint64_t seed);

/// The memory fields of gemm --json and topology --json rows: stall_cycles, total_cycles (0-based),
/// sram_reads / sram_writes / dram_reads / dram_writes ({ifmap, filter, ofmap} in words) and, with
/// --calc-bandwidth, required_bandwidth ({ifmap: {average, peak}, ...} in words per cycle).
void add_memory_json(nlohmann::json& j, const memory::MemoryReport& r);
/// The dram model's traffic: {preset, bytes_read, bytes_written, requests, row_hits, row_misses,
/// row_conflicts, row_hit_rate, achieved_gbps} ("dram" of gemm --json and of each topology --json row).
nlohmann::json dram_json(const memory::DramTraffic& d);

}  // namespace saffire::cli
