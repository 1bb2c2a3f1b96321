#include "sim/memory/scratchpad_fit.hpp"

#include <string>

#include "arch/config_error.hpp"

namespace saffire::memory {

OperandWords scratchpad_words(const MemoryConfig& cfg) {
  return {cfg.ifmap_sram_kb * 1024 / cfg.input_word_bytes, cfg.filter_sram_kb * 1024 / cfg.input_word_bytes,
          cfg.ofmap_sram_kb * 1024 / cfg.output_word_bytes};
}

void check_scratchpads_fit(const MemoryConfig& cfg, const arch::ArrayConfig& array) {
  const OperandWords words = scratchpad_words(cfg);
  auto need = [&](std::int64_t have, std::int64_t edge, const char* key, const char* what) {
    if (have < 2 * edge)
      throw ConfigError(cfg.where(key) + ": the " + what + " scratchpad holds " + std::to_string(have) +
                        " words, too small for one fold on a " + std::to_string(array.rows) + "x" +
                        std::to_string(array.cols) + " array (each half must hold the " + std::to_string(edge) +
                        " words of one cycle's demand: at least " + std::to_string(2 * edge) + " words)");
  };
  need(words.ifmap, array.rows, "ifmap_sram_kb", "ifmap");
  need(words.filter, array.cols, "filter_sram_kb", "filter");
  need(words.ofmap, array.cols, "ofmap_sram_kb", "ofmap");
}

}  // namespace saffire::memory
