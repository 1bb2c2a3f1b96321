#pragma once
// SCALE-Sim v2's memory system for one GEMM (USER bandwidth mode): the array's demand, cycle by cycle,
// served by two ScalesimReadBuffers and a ScalesimWriteBuffer. Each cycle's demand line waits for the
// slowest of the three; the waits add up to the stall cycles.
//
// The demand lines are ScalesimDemand's (scalesim_demand.hpp).
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
