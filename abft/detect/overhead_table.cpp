#include "abft/detect/overhead_table.hpp"

namespace saffire::abft {

OverheadTable overhead_table(const arch::ArrayConfig& array, const arch::TechTable& tech, const arch::Workload& load,
                             const HardwareOptions& opt) {
  OverheadTable t;
  t.baseline = arch::baseline_cost(array, tech, load);
  for (Scheme s : all_schemes()) {
    SchemeOverhead r{s, scheme_cost(s, array, tech, load, opt)};
    r.area_pct = 100.0 * r.cost.area_um2 / t.baseline.area_um2;
    r.power_pct = 100.0 * r.cost.power_mw() / t.baseline.power_mw();
    t.schemes.push_back(std::move(r));
  }
  return t;
}

std::vector<std::pair<int, OverheadTable>> overhead_vs_size(const arch::ArrayConfig& array,
                                                            const std::vector<int>& sizes,
                                                            const arch::TechTable& tech, const arch::Workload& load,
                                                            const HardwareOptions& opt) {
  std::vector<std::pair<int, OverheadTable>> out;
  for (const int n : sizes) {
    arch::ArrayConfig square = array;
    square.rows = square.cols = n;
    out.emplace_back(n, overhead_table(square, tech, load, opt));
  }
  return out;
}

std::vector<std::pair<Scheme, arch::EnergyBreakdown>> scheme_gemm_energies(const arch::ArrayConfig& array,
                                                                          const arch::TechTable& tech,
                                                                          arch::GemmEnergyInput input,
                                                                          const HardwareOptions& opt) {
  std::vector<std::pair<Scheme, arch::EnergyBreakdown>> out;
  for (Scheme s : all_schemes()) {
    input.detection = make_detection_policy(s)->gemm_hardware(array, input.shape, input.pe_data_activity, opt);
    out.emplace_back(s, arch::gemm_energy(array, tech, input));
  }
  return out;
}

}  // namespace saffire::abft
