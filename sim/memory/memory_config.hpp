#pragma once
// MemoryConfig: the [memory] table (scratchpads and the DRAM interface behind the array). The model
// decides what the numbers mean: "ideal" ignores them (every operand already in the array, today's
// compute cycles), "scalesim" runs SCALE-Sim v2's double-buffered scratchpads in its USER bandwidth mode.
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
#include <string>

namespace saffire::memory {

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
  std::string dram_preset;            // DRAM standard of the "dram" model; "" for the others

  /// Where each key came from ("file:line: memory.key" or "command line: --sram-kb"), for errors raised
  /// after parsing (a scratchpad too small for the array's fold). Keys absent here were defaulted.
  std::map<std::string, std::string> origin;

  /// Throws ConfigError "memory.<key>: ..." when a value is out of range on its own.
  void validate() const;
  /// "where" of a key: its origin when given, else "memory.<key> (default)".
  std::string where(const std::string& key) const;
};

/// Reads the [memory] table of TOML text (`origin` names the source); absent table: defaults. Unknown
/// keys, wrong types and bad values throw ConfigError naming the file, line and key.
MemoryConfig parse_memory_config(const std::string& toml_text, const std::string& origin);
MemoryConfig load_memory_config(const std::filesystem::path& path);

/// The config as a TOML [memory] table (the resolved config a trace records).
std::string to_toml(const MemoryConfig& cfg);

}  // namespace saffire::memory
