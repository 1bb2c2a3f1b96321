// The one table of detection policies, by scheme (names: arch::to_string(Scheme)).
#include "abft/detect/impl/simple_policies.hpp"
#include "abft/detect/impl/statistical_policy.hpp"

#include <cmath>
#include <stdexcept>

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

std::unique_ptr<DetectionPolicy> make_detection_policy(const AbftConfig& cfg) {
  cfg.validate();
  switch (cfg.scheme) {
    case arch::Scheme::None:
      return std::make_unique<NonePolicy>();
    case arch::Scheme::Classic:
      return std::make_unique<ClassicPolicy>();
    case arch::Scheme::ClassicCorrect:
      return std::make_unique<ClassicCorrectPolicy>();
    case arch::Scheme::ApproxAbft:
      return std::make_unique<ApproxAbftPolicy>(cfg);
    case arch::Scheme::Statistical:
      return std::make_unique<StatisticalPolicy>(cfg);
    case arch::Scheme::Dmr:
      return std::make_unique<DmrPolicy>();
    case arch::Scheme::ThunderVolt:
      return std::make_unique<ThunderVoltPolicy>();
  }
  throw std::logic_error("make_detection_policy: unhandled scheme");
}

}  // namespace saffire::abft
