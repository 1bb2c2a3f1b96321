#include "sim/memory/memory_model_factory.hpp"

#include "arch/config_error.hpp"
#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/impl/memory_model_makers.hpp"

namespace saffire::memory {
namespace {

std::vector<std::string_view> dram_preset_views() {
  static const std::vector<std::string> names = dram::dram_preset_names();
  return {names.begin(), names.end()};
}

}  // namespace

const std::vector<MemoryModelEntry>& memory_model_table() {
  static const std::vector<MemoryModelEntry> table = {
      {"ideal", "every operand already in the array: compute cycles only, each operand fetched from DRAM once", {},
       make_ideal_memory},
      {"scalesim",
       "SCALE-Sim v2's double-buffered scratchpads in its USER bandwidth mode (stalls, refetches; calc_bandwidth "
       "adds its CALC mode)",
       {}, make_scalesim_memory},
      {"dram",
       "the same scratchpads refilled and drained through a DRAM timing model (banks, row buffers, JEDEC timings, "
       "FR-FCFS) of dram_preset: a preset name or a TOML file",
       dram_preset_views(), make_dram_memory},
  };
  return table;
}

std::string memory_model_names() {
  std::string names;
  for (const MemoryModelEntry& e : memory_model_table()) names += (names.empty() ? "" : ", ") + std::string(e.name);
  return names;
}

const MemoryModelEntry& memory_model_entry(std::string_view name, const std::string& where) {
  for (const MemoryModelEntry& e : memory_model_table())
    if (e.name == name) return e;
  throw ConfigError(where + ": unknown memory model '" + std::string(name) + "' (expected one of: " +
                    memory_model_names() + ")");
}

bool is_dram_preset_file(std::string_view value) { return value.size() > 5 && value.ends_with(".toml"); }

std::unique_ptr<MemoryModel> make_memory_model(const MemoryConfig& cfg) {
  cfg.validate();
  return memory_model_entry(cfg.model, "memory.model").make(cfg);
}

}  // namespace saffire::memory
