// none: no detection hardware; every scope is accepted (the engine does not even compute deviations).
#include "abft/detect/detection_policy.hpp"

namespace saffire::abft {
namespace {

class NonePolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "none"; }
  Decision decide(const DetectionInput& in) const override {
    Decision d;
    d.msd = matrix_sum_deviation(in.row_deviations);
    d.freq = count_nonzero(in.row_deviations);
    return d;
  }
  bool detects() const override { return false; }
  std::vector<arch::CostItem> hardware_items(const HardwareContext&) const override { return {}; }
};

}  // namespace

std::unique_ptr<DetectionPolicy> make_none_policy(const AbftConfig&) { return std::make_unique<NonePolicy>(); }

}  // namespace saffire::abft
