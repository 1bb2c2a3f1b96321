#include "abft/fp_detection.hpp"

#include <cmath>

namespace saffire::abft {

BoundModel bound_model(const AbftConfig& cfg) { return {cfg.fp_bound == FpBound::Probabilistic, cfg.fp_lambda}; }

std::vector<double> fp_statistical_residuals(const FpChecksumDeviations& checks, double c) {
  std::vector<double> r(checks.deviation.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    const double excess = checks.residual(i, c);
    const double unit = checks.u * checks.magnitude[i];
    r[i] = excess == 0 ? 0.0 : unit > 0 ? excess / unit : excess;
  }
  return r;
}

Decision decide_fp(const AbftConfig& cfg, models::Component component, const FpChecksumDeviations& checks) {
  cfg.validate_for_float();
  Decision d;
  const std::string_view scheme = cfg.scheme.name();
  if (scheme == "none") return d;
  const double c = cfg.fp_tolerance;
  if (scheme == "classic") {
    double sum = 0;
    for (std::size_t i = 0; i < checks.deviation.size(); ++i) {
      sum += checks.residual(i, c);
      d.freq += checks.fires(i, c);
    }
    d.msd = std::fabs(sum);
    if (d.freq > 0) d.action = Action::Recompute;
    return d;
  }
  // statistical
  const StatisticalConstants& k = cfg.constants_for(component);
  const std::vector<double> r = fp_statistical_residuals(checks, c);
  double sum = 0;
  for (double v : r) {
    if (!std::isfinite(v)) {
      d.msd = std::fabs(v);
      d.freq = 1;
      d.action = Action::Recompute;
      return d;
    }
    sum += v;
  }
  d.msd = std::fabs(sum);
  if (d.msd == 0) return d;
  d.theta_mag = std::exp2(k.b - (k.a - 1.0) * std::log2(d.msd));
  for (double v : r) d.freq += std::fabs(v) > d.theta_mag;
  const bool recover = k.line_only ? d.freq >= 1 : (d.freq > 0 && std::log2(static_cast<double>(d.freq)) > k.theta_freq);
  if (recover) d.action = Action::Recompute;
  return d;
}

}  // namespace saffire::abft
