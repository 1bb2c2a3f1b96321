#pragma once
// The MemoryModel factory: one table of models ([memory] model, --memory).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/memory/dram/dram_spec.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

struct MemoryModelEntry {
  std::string_view name;
  std::string_view summary;               // one line, for --help and README
  std::vector<std::string_view> presets;  // the DRAM presets it takes ([memory] dram_preset, or a FILE.toml), none for most
  std::unique_ptr<MemoryModel> (*make)(const MemoryConfig&);
};

/// The models, in the order --help lists them.
const std::vector<MemoryModelEntry>& memory_model_table();
/// "ideal, scalesim": the names, for help texts.
std::string memory_model_names();
/// The entry of `name`; throws ConfigError "<where>: unknown memory model 'x' (expected one of: ...)".
const MemoryModelEntry& memory_model_entry(std::string_view name, const std::string& where);
/// Builds cfg.model after cfg.validate().
std::unique_ptr<MemoryModel> make_memory_model(const MemoryConfig& cfg);

/// True when a dram_preset value names a user preset file rather than a preset ("*.toml").
bool is_dram_preset_file(std::string_view value);
/// The DRAM of the dram model: cfg.dram_preset's preset (HBM2E when empty) or file.
/// Throws ConfigError naming where dram_preset was set and the valid names, or the file, line and key.
dram::DramSpec dram_spec_of(const MemoryConfig& cfg);

}  // namespace saffire::memory
