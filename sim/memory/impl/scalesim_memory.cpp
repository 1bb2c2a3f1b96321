// scalesim: SCALE-Sim v2's memory system (scalesim_memory_system.hpp) with the [memory] table's sizes
// and bandwidth; with calc_bandwidth, also the bandwidth each operand needs (SCALE-Sim's CALC mode).
#include <algorithm>

#include "arch/config_error.hpp"
#include "arch/fold_plan.hpp"
#include "sim/memory/impl/memory_model_makers.hpp"
#include "sim/memory/scalesim_memory_system.hpp"
#include "sim/memory/scratchpad_fit.hpp"

namespace saffire::memory {
namespace {

using i64 = std::int64_t;

class ScalesimMemory final : public MemoryModel {
 public:
  explicit ScalesimMemory(const MemoryConfig& cfg) : m_cfg(cfg) {
    if (!cfg.double_buffered)
      throw ConfigError(cfg.where("double_buffered") +
                        ": the scalesim model's scratchpads are double-buffered (SCALE-Sim v2 has no other kind)");
    m_params.capacity = scratchpad_words(cfg);
    m_params.bandwidth = {cfg.bandwidth, cfg.bandwidth, cfg.bandwidth};
  }

  std::string_view name() const override { return "scalesim"; }

  MemoryReport simulate(const arch::ArrayConfig& array, const arch::GemmShape& shape) const override {
    check_fits(array);
    MemoryReport r = simulate_scalesim(array, shape, m_params);
    if (m_cfg.calc_bandwidth) {
      r.has_required = true;
      const double cycles = static_cast<double>(r.compute_cycles + 1);
      r.required_ifmap = {static_cast<double>(r.dram_reads.ifmap) / cycles, peak(array, shape, &OperandWords::ifmap)};
      r.required_filter = {static_cast<double>(r.dram_reads.filter) / cycles, peak(array, shape, &OperandWords::filter)};
      r.required_ofmap = {static_cast<double>(r.dram_writes.ofmap) / cycles, peak(array, shape, &OperandWords::ofmap)};
    }
    return r;
  }

 private:
  void check_fits(const arch::ArrayConfig& array) const {
    check_scratchpads_fit(m_cfg, array);
    if (array.os_drain)
      throw ConfigError("arch.os_drain: the scalesim memory model follows SCALE-Sim's OS fold (no drain cycles)");
  }

  // The smallest bandwidth of one operand (the others unlimited) whose stalls are those of an unlimited
  // interface: a slide of the read window takes at least two cycles however wide the interface, so some
  // demand patterns never reach zero stalls. Stalls fall as the bandwidth grows; bisection.
  double peak(const arch::ArrayConfig& array, const arch::GemmShape& shape, i64 OperandWords::*operand) const {
    ScalesimParams p = m_params;
    const i64 unlimited = std::max({p.capacity.ifmap, p.capacity.filter, p.capacity.ofmap});
    p.bandwidth = {unlimited, unlimited, unlimited};
    const i64 floor_stalls = simulate_scalesim(array, shape, p).stall_cycles;
    i64 lo = 1, hi = unlimited;
    while (lo < hi) {
      const i64 mid = lo + (hi - lo) / 2;
      p.bandwidth.*operand = mid;
      if (simulate_scalesim(array, shape, p).stall_cycles <= floor_stalls) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return static_cast<double>(lo);
  }

  MemoryConfig m_cfg;
  ScalesimParams m_params;
};

}  // namespace

std::unique_ptr<MemoryModel> make_scalesim_memory(const MemoryConfig& cfg) {
  return std::make_unique<ScalesimMemory>(cfg);
}

}  // namespace saffire::memory
