#pragma once
// Output-deviation statistics of a fault campaign, per GEMM component: how many GEMMs and output
// words the faults corrupted, and by how much. A word's deviation is faulty - clean, the sum of the
// deltas (after - before) of its logged faults: one flip for the output-word models, one -2^j per
// failed accumulate for the timing model (later accumulates are exact additions mod 2^32). Computed
// from the plan's log, so it covers the first FaultPlan::kMaxLoggedFaults faults.
#include <array>
#include <cstdint>
#include <vector>

#include "models/engine/gemm_id.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::faults {

struct ComponentDeviation {
  std::int64_t faults = 0;         // logged faults
  std::int64_t faulty_gemms = 0;   // GEMM calls with at least one corrupted word
  std::int64_t faulty_words = 0;   // output words whose deviation is not 0
  double mean_abs_deviation = 0;   // mean |faulty - clean| over faulty_words
  std::int64_t max_abs_deviation = 0;
};

using DeviationStats = std::array<ComponentDeviation, models::kNumComponents>;

/// Per-component statistics of `log`.
DeviationStats deviation_stats(const std::vector<LoggedFault>& log);

}  // namespace saffire::faults
