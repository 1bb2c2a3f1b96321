#include "abft/calibrate/critical_region.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "arch/config_error.hpp"

namespace saffire::abft {

// ---- The critical-region fit ----------------------------------------------------------------------

bool predicted_critical(const CriticalFit& fit, double log2_msd, double log2_freq) {
  if (!fit.ok) return false;
  if (!(log2_freq < fit.a * log2_msd - fit.b)) return false;
  return fit.line_only || log2_freq > fit.theta_freq;
}

CriticalFit fit_critical_region(std::span<const CriticalPoint> points) {
  CriticalFit fit;
  std::vector<CriticalPoint> used;
  for (const CriticalPoint& p : points)
    if (p.use) used.push_back(p);
  if (used.empty()) {
    fit.note = "no usable grid point";
    return fit;
  }
  std::vector<double> ys, xs;
  for (const CriticalPoint& p : used) {
    ys.push_back(p.log2_freq);
    xs.push_back(p.log2_msd);
  }
  const auto unique_sorted = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  unique_sorted(ys);
  unique_sorted(xs);

  // Frequency floor: just below the lowest critical frequency.
  double y_crit = std::numeric_limits<double>::infinity();
  for (const CriticalPoint& p : used)
    if (p.critical) y_crit = std::min(y_crit, p.log2_freq);
  if (!std::isfinite(y_crit)) {
    fit.note = "no critical point in the grid: every (MSD, freq) tried stays within the tolerance";
    return fit;
  }
  const auto it = std::lower_bound(ys.begin(), ys.end(), y_crit);
  if (it == ys.begin()) {
    fit.line_only = true;
    fit.theta_freq = y_crit - (ys.size() > 1 ? (ys[1] - ys[0]) / 2 : 0.5);
  } else {
    fit.theta_freq = (*(it - 1) + y_crit) / 2;
  }

  // Points above the floor: the ones the line has to separate.
  std::vector<CriticalPoint> above;
  for (const CriticalPoint& p : used)
    if (p.log2_freq > fit.theta_freq) above.push_back(p);

  // Diagnostics: per MSD column, the frequency threshold that best separates "critical below" from
  // "tolerated above" (ties: the median of the tied thresholds; outside the column's points: censored).
  for (const double x : xs) {
    std::vector<CriticalPoint> col;
    for (const CriticalPoint& p : above)
      if (p.log2_msd == x) col.push_back(p);
    if (col.empty()) continue;
    std::sort(col.begin(), col.end(), [](const CriticalPoint& l, const CriticalPoint& r) { return l.log2_freq < r.log2_freq; });
    const std::size_t n = col.size();
    std::int64_t critical_above = 0, tolerated_below = 0;
    for (const CriticalPoint& p : col) critical_above += p.critical;
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    std::vector<std::size_t> tied;
    for (std::size_t p = 0; p <= n; ++p) {  // threshold between col[p-1] and col[p]
      if (p > 0) {
        if (col[p - 1].critical) {
          --critical_above;
        } else {
          ++tolerated_below;
        }
      }
      const std::int64_t errors = tolerated_below + critical_above;
      if (errors < best) {
        best = errors;
        tied.clear();
      }
      if (errors == best) tied.push_back(p);
    }
    const std::size_t p = tied[tied.size() / 2];
    if (p == 0) {
      ++fit.columns_none_critical;
    } else if (p == n) {
      ++fit.columns_all_critical;
    } else {
      fit.boundary.emplace_back(x, (col[p - 1].log2_freq + col[p].log2_freq) / 2);
    }
  }

  // The line: a linear separation of the points above the floor. For a slope a, a point is called
  // critical iff b < a x - y, a threshold on c = a x - y; the b that misclassify the fewest points form
  // intervals. Over a in [kMinA, kMaxA] (step kStepA), the (a, b) with the fewest misclassified points
  // form a region of the plane (all lines the grid cannot tell apart); the fit is its centroid under
  // the invariant measure of lines (each a weighted by the length of its b intervals / (1 + a^2)^1.5).
  // Unbounded b intervals (everything on one side) do not count.
  constexpr double kMinA = 0.02, kMaxA = 8.0, kStepA = 0.001;
  if (above.empty()) {
    fit.note = "no grid point above the frequency floor";
    return fit;
  }
  std::int64_t best_errors = std::numeric_limits<std::int64_t>::max();
  double sum_len = 0, sum_a = 0, sum_b = 0, a_lo = 0, a_hi = 0;
  std::vector<std::pair<double, bool>> c(above.size());
  const auto steps = static_cast<std::int64_t>(std::llround((kMaxA - kMinA) / kStepA));
  for (std::int64_t s = 0; s <= steps; ++s) {
    const double a = kMinA + static_cast<double>(s) * kStepA;
    for (std::size_t i = 0; i < above.size(); ++i) c[i] = {a * above[i].log2_msd - above[i].log2_freq, above[i].critical};
    std::sort(c.begin(), c.end());
    // b between c[i-1] and c[i] (i = 1 .. n-1; distinct values): errors = critical with c <= b + tolerated above.
    std::int64_t tolerated_above = 0, critical_below = 0;
    for (const auto& [v, crit] : c) tolerated_above += !crit;
    std::int64_t min_errors = std::numeric_limits<std::int64_t>::max();
    double len = 0, mid_len = 0;
    for (std::size_t i = 1; i < c.size(); ++i) {
      if (c[i - 1].second) {
        ++critical_below;
      } else {
        --tolerated_above;
      }
      if (!(c[i].first > c[i - 1].first)) continue;  // no room for a threshold between equal values
      const std::int64_t errors = critical_below + tolerated_above;
      const double l = c[i].first - c[i - 1].first, mid = (c[i].first + c[i - 1].first) / 2;
      if (errors < min_errors) {
        min_errors = errors;
        len = 0;
        mid_len = 0;
      }
      if (errors == min_errors) {
        len += l;
        mid_len += mid * l;
      }
    }
    if (len <= 0) continue;
    if (min_errors < best_errors) {
      best_errors = min_errors;
      sum_len = sum_a = sum_b = 0;
      a_lo = a;
    }
    if (min_errors == best_errors) {
      // The invariant measure of lines, d(angle) d(distance) = da db / (1 + a^2)^1.5: steep lines, whose
      // b intervals are long only because b is steep, get no extra weight.
      const double w = 1.0 / std::pow(1.0 + a * a, 1.5);
      sum_len += w * len;
      sum_a += w * a * len;
      sum_b += w * mid_len;
      a_hi = a;
    }
  }
  if (!(sum_len > 0)) {
    fit.note = "no line separates critical from tolerated points above the floor (need both kinds)";
    return fit;
  }
  fit.a = sum_a / sum_len;
  fit.b = sum_b / sum_len;
  fit.misclassified = best_errors;
  if (a_lo <= kMinA + kStepA / 2 || a_hi >= kMaxA - kStepA / 2) {
    fit.slope_unbounded = true;
    fit.note = "the grid does not bound the slope (best lines reach a = " + std::to_string(a_lo) + ".." +
               std::to_string(a_hi) + "): widen or refine the grid";
  }
  if (!(fit.a > 0) || !std::isfinite(fit.a) || !std::isfinite(fit.b)) {
    fit.note = "fitted slope a <= 0";
    return fit;
  }
  fit.ok = true;
  std::int64_t right = 0;
  for (const CriticalPoint& p : used) right += predicted_critical(fit, p.log2_msd, p.log2_freq) == p.critical;
  fit.accuracy = static_cast<double>(right) / static_cast<double>(used.size());
  return fit;
}

std::string calibration_toml(std::span<const std::pair<models::Component, abft::StatisticalConstants>> tables,
                             std::span<const std::string> comments) {
  std::ostringstream out;
  out.precision(17);
  for (const std::string& c : comments) {
    std::string line = c;
    std::replace(line.begin(), line.end(), '\n', ' ');
    std::replace(line.begin(), line.end(), '\r', ' ');
    out << "# " << line << "\n";
  }
  out << "[abft]\nscheme = \"statistical\"\n";
  for (const auto& [component, k] : tables) {
    out << "\n[abft.component." << models::to_string(component) << "]\na = " << k.a << "\nb = " << k.b
        << "\ntheta_freq = " << k.theta_freq << "\nline_only = " << (k.line_only ? "true" : "false") << "\n";
  }
  return out.str();
}

}  // namespace saffire::abft
