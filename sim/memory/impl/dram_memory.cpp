// dram: the scalesim model's double-buffered scratchpads refilled and drained through the DRAM timing
// model (dram_memory_system.hpp), with the preset or user file of [memory] dram_preset.
#include "arch/config_error.hpp"
#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/dram_memory_system.hpp"
#include "sim/memory/impl/memory_model_makers.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "sim/memory/scratchpad_fit.hpp"

namespace saffire::memory {
namespace {

class DramMemory final : public MemoryModel {
 public:
  explicit DramMemory(const MemoryConfig& cfg) : m_cfg(cfg) {
    if (!cfg.double_buffered)
      throw ConfigError(cfg.where("double_buffered") + ": the dram model's scratchpads are double-buffered");
    m_params.capacity = scratchpad_words(cfg);
    m_params.input_word_bytes = cfg.input_word_bytes;
    m_params.output_word_bytes = cfg.output_word_bytes;
    m_params.spec = dram_spec_of(cfg);
  }

  std::string_view name() const override { return "dram"; }

  MemoryReport simulate(const arch::ArrayConfig& array, const arch::GemmShape& shape) const override {
    check_scratchpads_fit(m_cfg, array);
    if (array.os_drain)
      throw ConfigError("arch.os_drain: the dram memory model follows SCALE-Sim's OS fold (no drain cycles)");
    return simulate_dram(array, shape, m_params);
  }

 private:
  MemoryConfig m_cfg;
  DramMemoryParams m_params;
};

}  // namespace

dram::DramSpec dram_spec_of(const MemoryConfig& cfg) {
  const std::string& p = cfg.dram_preset;
  if (p.empty()) return dram::dram_preset("HBM2E");  // the default DRAM of the energy figures too
  if (is_dram_preset_file(p)) return dram::load_dram_spec(p);  // errors name the file, line and key
  try {
    return dram::dram_preset(p);
  } catch (const ConfigError& e) {
    throw ConfigError(cfg.where("dram_preset") + ": " + e.what());
  }
}

std::unique_ptr<MemoryModel> make_dram_memory(const MemoryConfig& cfg) { return std::make_unique<DramMemory>(cfg); }

}  // namespace saffire::memory
