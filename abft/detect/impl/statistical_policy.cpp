#include "abft/detect/impl/statistical_policy.hpp"

#include <cmath>
#include <cstdlib>

namespace saffire::abft {

Decision StatisticalPolicy::decide(const DetectionInput& in) const {
  const StatisticalConstants& k = m_cfg.constants_for(in.component);
  Decision d;
  d.msd = matrix_sum_deviation(in.row_deviations);
  if (d.msd == 0) return d;  // no deviation, or deviations that cancel: nothing the rule can see
  d.theta_mag = std::exp2(k.b - (k.a - 1.0) * std::log2(d.msd));
  for (std::int32_t v : in.row_deviations) d.freq += std::abs(static_cast<double>(v)) > d.theta_mag;
  const bool recover = k.line_only ? d.freq >= 1 : (d.freq > 0 && std::log2(static_cast<double>(d.freq)) > k.theta_freq);
  if (recover) d.action = Action::Recompute;
  return d;
}

Decision ApproxAbftPolicy::decide(const DetectionInput& in) const {
  const StatisticalConstants& k = m_cfg.constants_for(in.component);
  Decision d;
  d.msd = matrix_sum_deviation(in.row_deviations);
  for (std::int32_t v : in.row_deviations) d.freq += v != 0;
  if (d.msd > 0 && std::log2(d.msd) > (k.theta_freq + k.b) / k.a) d.action = Action::Recompute;
  return d;
}

}  // namespace saffire::abft
