#include "abft/detect/detection_policy.hpp"

#include <cmath>

namespace saffire::abft {

std::string_view to_string(Action a) {
  switch (a) {
    case Action::Accept:
      return "accept";
    case Action::Correct:
      return "correct";
    case Action::Recompute:
      return "recompute";
    case Action::DropFaultyMacs:
      return "drop";
  }
  return "?";
}

double matrix_sum_deviation(std::span<const std::int32_t> deviations) {
  std::int64_t sum = 0;
  for (std::int32_t v : deviations) sum += v;
  return std::abs(static_cast<double>(sum));
}

std::int64_t count_nonzero(std::span<const std::int32_t> deviations) {
  std::int64_t n = 0;
  for (std::int32_t v : deviations) n += v != 0;
  return n;
}

arch::DetectionHardware DetectionPolicy::hardware(const arch::ArrayConfig& array, const arch::Workload& load,
                                                  const HardwareOptions& opt) const {
  array.validate();
  const HardwareContext ctx{array, load, arch::fold_activity(array, load.stream), opt};
  arch::DetectionHardware hw;
  hw.items = hardware_items(ctx);
  hw.load = load;
  hw.extra_cycles_per_fold = extra_cycles_per_fold(array, opt);
  hw.at_array_voltage = hardware_at_array_voltage();
  return hw;
}

arch::DetectionHardware DetectionPolicy::gemm_hardware(const arch::ArrayConfig& array, const arch::GemmShape& shape,
                                                       double pe_data_activity, const HardwareOptions& opt) const {
  return hardware(array, arch::gemm_workload(array, shape, pe_data_activity), opt);
}

arch::Cost scheme_cost(Scheme scheme, const arch::ArrayConfig& array, const arch::TechTable& tech,
                       const arch::Workload& load, const HardwareOptions& opt) {
  return arch::detection_cost(make_detection_policy(scheme)->hardware(array, load, opt), array, tech);
}

}  // namespace saffire::abft
