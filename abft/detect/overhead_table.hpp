#pragma once
// The tables of `saffire overhead`: the baseline array's cost and every detection scheme's extra area,
// power and cycles (absolute and in % of the baseline), the same across square array sizes, and the
// energy of one GEMM per scheme. Each scheme declares its hardware (detection_policy.hpp); arch/tech
// prices it; this file only assembles the tables.
#include <utility>
#include <vector>

#include "abft/detect/detection_policy.hpp"
#include "arch/tech/array_cost.hpp"
#include "arch/tech/tech_table.hpp"

namespace saffire::abft {

struct SchemeOverhead {
  Scheme scheme;
  arch::Cost cost;  // the scheme's extra hardware
  double area_pct = 0, power_pct = 0;  // of the baseline
};

struct OverheadTable {
  arch::Cost baseline;                  // the PE array without detection
  std::vector<SchemeOverhead> schemes;  // every scheme, in all_schemes() order
};

/// The baseline and every scheme on `array`.
OverheadTable overhead_table(const arch::ArrayConfig& array, const arch::TechTable& tech, const arch::Workload& load,
                             const HardwareOptions& opt);

/// The table for n x n arrays of the same dataflow and technology, one per size.
std::vector<std::pair<int, OverheadTable>> overhead_vs_size(const arch::ArrayConfig& array,
                                                            const std::vector<int>& sizes,
                                                            const arch::TechTable& tech, const arch::Workload& load,
                                                            const HardwareOptions& opt);

/// The energy of one GEMM with each scheme's detection hardware (input.detection is set per scheme).
std::vector<std::pair<Scheme, arch::EnergyBreakdown>> scheme_gemm_energies(const arch::ArrayConfig& array,
                                                                          const arch::TechTable& tech,
                                                                          arch::GemmEnergyInput input,
                                                                          const HardwareOptions& opt);

}  // namespace saffire::abft
