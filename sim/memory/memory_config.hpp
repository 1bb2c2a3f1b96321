#pragma once
// MemoryConfig: the [memory] table (scratchpads and the DRAM interface behind the array). The model
// decides what the numbers mean: "ideal" ignores them (every operand already in the array, today's
// compute cycles), "scalesim" runs SCALE-Sim v2's double-buffered scratchpads in its USER bandwidth mode,
// "dram" the same scratchpads behind a DRAM timing model (dram_preset; bandwidth is not used).
//
//   [memory]
//   model = "scalesim"
//   ifmap_sram_kb = 64    # activations X
//   filter_sram_kb = 64   # weights W
//   ofmap_sram_kb = 64    # outputs Y
//   bandwidth = 10        # DRAM interface, words per cycle
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "arch/tech/sram_bitcell.hpp"

namespace saffire::memory {

/// The scratchpads' supply range a config may ask for, V (the bit-cell failure curve's domain).
inline constexpr double kMinSramVoltage = 0.3;
inline constexpr double kMaxSramVoltage = 1.5;

struct MemoryConfig {
  std::string model = "ideal";        // a name of memory_model_table()
  std::int64_t ifmap_sram_kb = 64;    // scratchpad of the activations X (SCALE-Sim's IFMAP), 1 kB = 1024 bytes
  std::int64_t filter_sram_kb = 64;   // scratchpad of the weights W (FILTER)
  std::int64_t ofmap_sram_kb = 64;    // scratchpad of the outputs Y (OFMAP)
  int input_word_bytes = 1;           // bytes per X or W word (INT8)
  int output_word_bytes = 1;          // bytes per Y word: 1 = re-quantized INT8 (SCALE-Sim's words), 4 = INT32
  bool double_buffered = true;        // half of each scratchpad serves the array while the other half fills
  int banks = 1;                      // SRAM banks per scratchpad (SCALE-Sim v2 reads it and does not use it)
  std::int64_t bandwidth = 10;        // DRAM interface, words per cycle per operand (SCALE-Sim's Bandwidth)
  bool calc_bandwidth = false;        // also find the bandwidth each operand needs for zero stalls (SCALE-Sim's CALC)
  std::string dram_preset;            // "dram" model: a preset (HBM2E when "") or a FILE.toml; "" for the others
  // The memory's own supply domains (energy, SRAM errors): the scratchpads' supply in V (unset: the
  // array's nominal [arch] v_nominal), and the DRAM standard the energy figures price
  // (arch/tech/dram_energy.hpp; "": dram_preset when set, else HBM2E).
  std::optional<double> sram_voltage;
  std::string dram_energy;
  // The scratchpads' bit-cell failure curve at sram_voltage (arch/tech/sram_bitcell.hpp): the Gaussian
  // Vmin model (unset: its defaults), or a user CSV table `voltage,probability` (a path, relative to the
  // config file), which replaces it. SRAM errors are injected only when sram_voltage is given.
  std::optional<double> sram_vmin_mean, sram_vmin_sigma;
  std::string sram_failure_table;

  /// Where each key came from ("file:line: memory.key" or "command line: --sram-kb"), for errors raised
  /// after parsing (a scratchpad too small for the array's fold). Keys absent here were defaulted.
  std::map<std::string, std::string> origin;

  /// Throws ConfigError "memory.<key>: ..." when a value is out of range on its own.
  void validate() const;
  /// "where" of a key: its origin when given, else "memory.<key> (default)".
  std::string where(const std::string& key) const;
  /// The DRAM standard of the energy figures: dram_energy, else dram_preset, else "HBM2E".
  std::string dram_energy_standard() const;
  /// The scratchpads' supply: sram_voltage, else `v_nominal`.
  double sram_supply(double v_nominal) const { return sram_voltage ? *sram_voltage : v_nominal; }
  /// The failure curve (reads the table; its errors name the file and line).
  arch::SramFailureCurve sram_failure_curve() const;
};

/// Reads the [memory] table of TOML text (`origin` names the source); absent table: defaults. Unknown
/// keys, wrong types and bad values throw ConfigError naming the file, line and key.
MemoryConfig parse_memory_config(const std::string& toml_text, const std::string& origin);
MemoryConfig load_memory_config(const std::filesystem::path& path);

/// The config as a TOML [memory] table (the resolved config a trace records).
std::string to_toml(const MemoryConfig& cfg);

}  // namespace saffire::memory
