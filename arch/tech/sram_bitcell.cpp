#include "arch/tech/sram_bitcell.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "arch/config_error.hpp"
#include "arch/csv_table.hpp"
#include "arch/toml_file.hpp"

namespace saffire::arch {
namespace {

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

SramFailureCurve SramFailureCurve::gaussian_vmin(double mean_v, double sigma_v) {
  if (!(mean_v > 0 && mean_v < 2)) throw ConfigError("memory.sram_vmin_mean: expected a voltage in (0, 2) V, got " + num(mean_v));
  if (!(sigma_v > 0 && sigma_v < 1)) throw ConfigError("memory.sram_vmin_sigma: expected a spread in (0, 1) V, got " + num(sigma_v));
  SramFailureCurve c;
  c.m_gaussian = true;
  c.m_mean = mean_v;
  c.m_sigma = sigma_v;
  return c;
}

SramFailureCurve SramFailureCurve::table(std::vector<SramFailurePoint> points, const std::string& origin) {
  if (points.empty()) throw ConfigError(origin + ": the table has no rows");
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.voltage < b.voltage; });
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SramFailurePoint& p = points[i];
    if (!(p.voltage > 0 && p.voltage <= 5)) throw ConfigError(origin + ": voltage " + num(p.voltage) + " is outside (0, 5] V");
    if (!(p.probability >= 0 && p.probability <= 1))
      throw ConfigError(origin + ": probability " + num(p.probability) + " is outside [0, 1]");
    if (i > 0 && points[i - 1].voltage == p.voltage)
      throw ConfigError(origin + ": voltage " + num(p.voltage) + " is given twice");
  }
  SramFailureCurve c;
  c.m_gaussian = false;
  c.m_points = std::move(points);
  c.m_origin = origin;
  return c;
}

double SramFailureCurve::probability(double v) const {
  if (m_gaussian) return 0.5 * std::erfc((v - m_mean) / (m_sigma * std::sqrt(2.0)));
  const auto hi = std::lower_bound(m_points.begin(), m_points.end(), v,
                                   [](const SramFailurePoint& p, double x) { return p.voltage < x; });
  if (hi != m_points.end() && hi->voltage == v) return hi->probability;
  if (hi == m_points.end() || hi == m_points.begin())
    throw ConfigError(m_origin + ": SRAM voltage " + num(v) + " V is outside the table (" + num(m_points.front().voltage) +
                      " .. " + num(m_points.back().voltage) + " V)");
  const auto lo = std::prev(hi);
  const double t = (v - lo->voltage) / (hi->voltage - lo->voltage);
  const double a = lo->probability, b = hi->probability;
  return (a > 0 && b > 0) ? std::exp(std::log(a) + t * (std::log(b) - std::log(a))) : a + t * (b - a);
}

std::string SramFailureCurve::describe() const {
  if (m_gaussian) return "gaussian Vmin (mean " + num(m_mean) + " V, sigma " + num(m_sigma) + " V)";
  return "table " + m_origin + " (" + num(m_points.front().voltage) + " .. " + num(m_points.back().voltage) + " V)";
}

SramFailureCurve parse_sram_failure_table(const std::string& csv_text, const std::string& origin) {
  std::vector<SramFailurePoint> points;
  for (const CsvRow& row : parse_csv_table(csv_text, origin, {"voltage", "probability"})) {
    const double v = csv_number(row.fields[0], row.where, "voltage");
    if (!(v > 0 && v <= 5)) throw ConfigError(row.where + ": voltage: expected a voltage in (0, 5] V, got " + row.fields[0]);
    const double p = csv_number(row.fields[1], row.where, "probability");
    if (!(p >= 0 && p <= 1)) throw ConfigError(row.where + ": probability: expected a value in [0, 1], got " + row.fields[1]);
    for (const SramFailurePoint& q : points)
      if (q.voltage == v) throw ConfigError(row.where + ": voltage " + row.fields[0] + " is given twice");
    points.push_back({v, p});
  }
  return SramFailureCurve::table(std::move(points), origin);
}

SramFailureCurve load_sram_failure_table(const std::filesystem::path& path) {
  return parse_sram_failure_table(read_text_file(path, "SRAM failure table"), path.string());
}

}  // namespace saffire::arch
