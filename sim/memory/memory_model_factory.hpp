#pragma once
// The MemoryModel factory: one table of models ([memory] model, --memory).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

struct MemoryModelEntry {
  std::string_view name;
  std::string_view summary;               // one line, for --help and README
  std::vector<std::string_view> presets;  // the DRAM presets it takes ([memory] dram_preset), none for most
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

}  // namespace saffire::memory
