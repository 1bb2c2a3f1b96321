#pragma once
// FoldStallLog: the stall cycles of each fold, as a model serving ScalesimDemand's lines sees them, handed
// over in arch::FoldPlan's order (MemoryReport::fold_stall_cycles). Counts lines rather than dividing, so
// the per-line cost stays one add and one compare.
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/memory/scalesim_demand.hpp"

namespace saffire::memory {

class FoldStallLog {
 public:
  explicit FoldStallLog(const ScalesimDemand& demand)
      : m_demand(demand), m_lines_per_fold(demand.lines_per_fold()),
        m_served(static_cast<std::size_t>(demand.folds()), 0) {}

  /// The current line (of the fold being served) waited `cycles`; then the next line.
  void end_line(std::int64_t cycles) {
    m_served[m_fold] += cycles;
    if (++m_line == m_lines_per_fold) m_line = 0, ++m_fold;
  }
  /// A wait after the last line (the last outputs landing in DRAM) counts in the fold served last.
  void add_after_last(std::int64_t cycles) { m_served.back() += cycles; }

  /// The stalls indexed by arch::FoldPlan fold index.
  std::vector<std::int64_t> in_plan_order() const {
    std::vector<std::int64_t> out(m_served.size(), 0);
    for (std::size_t f = 0; f < m_served.size(); ++f)
      out[static_cast<std::size_t>(m_demand.plan_fold(static_cast<std::int64_t>(f)))] = m_served[f];
    return out;
  }

 private:
  const ScalesimDemand& m_demand;
  std::int64_t m_lines_per_fold;
  std::int64_t m_line = 0;
  std::size_t m_fold = 0;
  std::vector<std::int64_t> m_served;  // by served order
};

}  // namespace saffire::memory
