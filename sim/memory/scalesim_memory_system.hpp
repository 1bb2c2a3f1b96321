#pragma once
// SCALE-Sim v2's memory system for one GEMM (USER bandwidth mode): the array's demand, cycle by cycle,
// served by two ScalesimReadBuffers and a ScalesimWriteBuffer. Each cycle's demand line waits for the
// slowest of the three; the waits add up to the stall cycles.
//
// Demand lines (SCALE-Sim's demand matrices), folds in order column fold outer, row fold inner; per fold:
//   WS (R x C array, weights W[K x N] stationary): 2R + C + M - 2 lines: lines 0..R-1 load the weight
//     tile bottom row first; X row t enters PE row c at line R + t + c; output row t leaves column c at
//     line 2R - 1 + t + c.
//   OS (outputs stationary): R + C + K - 2 lines: X[m][k] enters row c = m mod R at line k + c, W[k][n]
//     column c = n mod C at line k + c; the R x C outputs leave, bottom row first, skewed by column, from
//     line K - 1 on.
#include <cstdint>

#include "arch/array_config.hpp"
#include "arch/gemm_shape.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

struct ScalesimParams {
  OperandWords capacity;   // scratchpad sizes in words
  OperandWords bandwidth;  // DRAM interface per operand, words per cycle (SCALE-Sim gives all three one value)
};

/// The report of one GEMM (compute, stall and total cycles, SRAM and DRAM words, cycle spans).
MemoryReport simulate_scalesim(const arch::ArrayConfig& array, const arch::GemmShape& shape,
                               const ScalesimParams& params);

}  // namespace saffire::memory
