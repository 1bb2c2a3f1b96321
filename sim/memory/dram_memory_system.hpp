#pragma once
// The dram model's memory system for one GEMM: the array's demand lines (ScalesimDemand, as in the
// scalesim model) served by two DramReadBuffers and a DramWriteBuffer behind one DRAM timing model
// (dram/). A line runs once both read scratchpads hold its words; its outputs then go to the output
// scratchpad (waiting when the half it needs is still draining). After the last line the GEMM waits for
// its last outputs to land in DRAM. Every wait is a stall cycle.
//
// DRAM address layout (bytes): each operand one region, laid out in the order its scratchpad fetches or
// drains it; regions aligned to kRegionAlign:
//   X (ifmap)  at 0:                         position p of its fetch order at p * input_word_bytes
//   W (filter) at align(X's bytes):          likewise
//   Y (ofmap)  at align(W's end):            output word k of OutputLayout at k * output_word_bytes
#include <cstdint>

#include "arch/array_config.hpp"
#include "arch/gemm_shape.hpp"
#include "sim/memory/dram/dram_spec.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

inline constexpr std::uint64_t kRegionAlign = std::uint64_t{1} << 20;  // 1 MiB: every region starts a DRAM stripe

struct DramMemoryParams {
  OperandWords capacity;     // scratchpad sizes in words
  int input_word_bytes = 1;  // X and W
  int output_word_bytes = 1; // Y
  dram::DramSpec spec;
};

/// The report of one GEMM (compute, stall and total cycles, SRAM and DRAM words, cycle spans, and the
/// DRAM's bytes, row-buffer outcomes and achieved bandwidth in `dram`).
MemoryReport simulate_dram(const arch::ArrayConfig& array, const arch::GemmShape& shape, const DramMemoryParams& params);

}  // namespace saffire::memory
