#pragma once
// One GEMM's memory behaviour as a "/memory" trace row (traces/SCHEMA.md, schema version 6): the memory model's
// MemoryReport in plain numbers, with the SRAM and DRAM energy the command priced. Written by topology (trace.h5)
// and eval (--trace).
#include <string>
#include <string_view>

#include "sim/memory/memory_model.hpp"
#include "traces/trace_records.hpp"

namespace saffire::sim {

/// `gemm`: the GEMM's name as its other rows spell it; `model`: the memory model's name ("ideal", "scalesim",
/// "dram"); `sram_pj`, `dram_pj`: its SRAM and DRAM energy (0 when not priced).
traces::MemoryRecord memory_trace_record(std::string gemm, std::string_view model, const memory::MemoryReport& report,
                                         double sram_pj, double dram_pj);

}  // namespace saffire::sim
