#pragma once
// The scratchpads of the [memory] table in words, and the check every scratchpad model (scalesim, dram)
// makes before a GEMM: each half of a scratchpad must hold one cycle's demand of its edge of the array
// (X: R words, W and Y: C words), or the double buffer cannot serve a single demand line.
#include "arch/array_config.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

/// kB * 1024 / word bytes per scratchpad (X and W: input words, Y: output words).
OperandWords scratchpad_words(const MemoryConfig& cfg);
/// Throws ConfigError naming the key and where it was set when a scratchpad is too small for `array`.
void check_scratchpads_fit(const MemoryConfig& cfg, const arch::ArrayConfig& array);

}  // namespace saffire::memory
