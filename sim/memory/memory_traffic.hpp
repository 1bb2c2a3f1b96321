#pragma once
// The memory model's report of one GEMM as the traffic arch prices (arch/tech/memory_energy.hpp): the
// words per operand, the word sizes and scratchpad sizes of the [memory] config, and the GEMM's time
// (total cycles, stalls included, at the array's clock); with the dram model, its row activations (row
// misses + conflicts) instead of the streaming estimate.
#include "arch/array_config.hpp"
#include "arch/tech/memory_energy.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

arch::MemoryTraffic memory_traffic(const MemoryConfig& cfg, const MemoryReport& report, const arch::ArrayConfig& array);

}  // namespace saffire::memory
