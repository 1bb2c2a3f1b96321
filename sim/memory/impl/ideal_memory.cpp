// ideal: the array never waits; each operand comes from DRAM once and each output goes back once (an
// unlimited scratchpad behind an unlimited interface). Compute cycles are the fold plan's, as before the
// memory seam existed.
#include "arch/fold_plan.hpp"
#include "sim/memory/impl/memory_model_makers.hpp"

namespace saffire::memory {
namespace {

class IdealMemory final : public MemoryModel {
 public:
  std::string_view name() const override { return "ideal"; }
  MemoryReport simulate(const arch::ArrayConfig& array, const arch::GemmShape& s) const override {
    MemoryReport r;
    r.compute_cycles = arch::analytical_cycles(array, s).cycles;
    r.total_cycles = r.compute_cycles;
    r.sram_reads = array_side_reads(array, s);
    r.sram_writes = {s.m * s.k, s.k * s.n, array_side_output_writes(array, s)};
    r.dram_reads = {s.m * s.k, s.k * s.n, 0};
    r.dram_writes = {0, 0, s.m * s.n};
    const CycleSpan all{0, r.compute_cycles};
    r.sram_spans = {all, all, all};
    r.dram_spans = {all, all, all};
    return r;
  }
};

}  // namespace

std::unique_ptr<MemoryModel> make_ideal_memory(const MemoryConfig&) { return std::make_unique<IdealMemory>(); }

}  // namespace saffire::memory
