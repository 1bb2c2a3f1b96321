#pragma once
// What the array engine's memory model did over a model run (eval, generate): stall and total cycles, the DRAM's
// traffic, the SRAM and DRAM energy, and one "/memory" trace row per GEMM. The engine keeps one MemoryReport per
// shape (sim/array_engine.hpp); this prices each shape once and multiplies.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "arch/tech/tech_table.hpp"
#include "sim/array_engine.hpp"
#include "sim/memory/memory_config.hpp"
#include "traces/trace_records.hpp"

namespace saffire::cli {

struct ArrayMemoryTotals {
  std::int64_t gemms = 0;
  std::int64_t compute_cycles = 0;  // sum over GEMMs of (compute cycles + 1)
  std::int64_t stall_cycles = 0;
  std::int64_t total_cycles = 0;    // sum over GEMMs of (total cycles + 1)
  double sram_pj = 0, dram_pj = 0;
  memory::DramTraffic dram;  // summed counts (dram model); achieved_gbps over the summed time
};

/// `tech`: the energy tech table as characterized (converted to [arch] v_nominal here); the memory's supplies
/// and DRAM standard come from `cfg`.
ArrayMemoryTotals array_memory_totals(const sim::ArrayGemmEngine& engine, const memory::MemoryConfig& cfg,
                                      const arch::TechTable& tech);

/// {"model", "gemms", "compute_cycles", "stall_cycles", "total_cycles", "sram_energy_pj", "dram_energy_pj"} and,
/// for the dram model, "dram" (as gemm --json's).
nlohmann::json array_memory_json(const ArrayMemoryTotals& t, const memory::MemoryConfig& cfg);

/// One row per GEMM of the engine's gemm_log(), in call order (the engine must log_gemms() before the run).
std::vector<traces::MemoryRecord> array_memory_rows(const sim::ArrayGemmEngine& engine, const memory::MemoryConfig& cfg,
                                                    const arch::TechTable& tech);

}  // namespace saffire::cli
