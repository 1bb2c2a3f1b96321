#pragma once
// Reading SCALE-Sim v2's .cfg files (INI: [general], [architecture_presets], [run_presets],
// [network_presets]) so its users' configs run unchanged: the array's size and dataflow, and a [memory]
// config of the scalesim model (SRAM sizes, Bandwidth, MemoryBanks, InterfaceBandwidth USER or CALC).
// Keys are case-insensitive as in Python's configparser; unknown keys, a missing key SCALE-Sim requires,
// non-integers and the IS dataflow (not modelled) throw ConfigError naming the file, line and key.
#include <filesystem>
#include <string>

#include "arch/array_config.hpp"
#include "sim/memory/memory_config.hpp"

namespace saffire::memory {

struct ScalesimConfigFile {
  int rows = 0, cols = 0;  // ArrayHeight, ArrayWidth
  arch::Dataflow dataflow = arch::Dataflow::WS;
  MemoryConfig memory;     // model "scalesim"; calc_bandwidth when InterfaceBandwidth is CALC
  std::string where_array; // "file:line: ArrayHeight" for errors about the array
};

ScalesimConfigFile parse_scalesim_config(const std::string& text, const std::string& origin);
ScalesimConfigFile load_scalesim_config(const std::filesystem::path& path);

}  // namespace saffire::memory
