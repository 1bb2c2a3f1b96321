#pragma once
// The DRAM presets shipped with saffire: DDR4-3200, LPDDR5-6400, HBM2E and HBM3, one TOML file each in
// sim/memory/dram/presets/ (every value cited there), compiled into the library.
#include <string>
#include <string_view>
#include <vector>

#include "sim/memory/dram/dram_spec.hpp"

namespace saffire::memory::dram {

/// The presets' names, in file order ("DDR4-3200", "LPDDR5-6400", "HBM2E", "HBM3").
std::vector<std::string> dram_preset_names();
/// The preset of that name (case-insensitive); an unknown name throws ConfigError listing the valid ones.
DramSpec dram_preset(std::string_view name);

/// One embedded preset file: its path in the source tree (named in errors) and its text.
struct PresetText {
  const char* file;
  const char* text;
};
const std::vector<PresetText>& preset_texts();  // generated (dram_preset_texts.cpp)

}  // namespace saffire::memory::dram
