#include "sim/faults/bit_error_table.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>
#include <utility>
#include <fstream>
#include <sstream>

#include "arch/config_error.hpp"
#include "arch/csv_table.hpp"
#include "arch/toml_file.hpp"

namespace saffire::faults {
namespace {

std::string fmt_v(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

BitErrorTable BitErrorTable::parse(const std::string& csv_text, const std::string& origin) {
  BitErrorTable t;
  t.m_origin = origin;
  std::set<std::pair<double, int>> seen;  // (voltage, bit) pairs given so far
  for (const CsvRow& row : parse_csv_table(csv_text, origin, {"voltage", "bit", "probability"})) {
    const std::string& where = row.where;
    const std::vector<std::string>& fields = row.fields;
    const double v = csv_number(fields[0], where, "voltage");
    if (!(v > 0.0)) throw ConfigError(where + ": voltage: expected a positive voltage, got " + fields[0]);
    const double bit = csv_number(fields[1], where, "bit");
    if (bit != std::floor(bit) || bit < 0 || bit > 31)
      throw ConfigError(where + ": bit: expected an integer in 0..31, got " + fields[1]);
    const double p = csv_number(fields[2], where, "probability");
    if (!(p >= 0.0 && p <= 1.0)) throw ConfigError(where + ": probability: expected a value in [0, 1], got " + fields[2]);
    if (!seen.insert({v, static_cast<int>(bit)}).second)
      throw ConfigError(where + ": bit " + fields[1] + " at voltage " + fields[0] + " is given twice");
    t.m_rows[v][static_cast<std::size_t>(bit)] = p;  // a new voltage starts with all bits at 0
  }
  if (t.m_rows.empty()) throw ConfigError(origin + ": the table has no rows");
  for (const auto& [v, p] : t.m_rows) {
    double sum = 0;
    for (double x : p) sum += x;
    if (sum > 1.0 + 1e-12)
      throw ConfigError(origin + ": at voltage " + fmt_v(v) + " the bit probabilities sum to " + fmt_v(sum) +
                        " (> 1; a word gets at most one flip)");
  }
  return t;
}

BitErrorTable BitErrorTable::load(const std::filesystem::path& path) {
  return parse(read_text_file(path, "the fault table"), path.string());
}

std::vector<double> BitErrorTable::voltages() const {
  std::vector<double> v;
  for (const auto& row : m_rows) v.push_back(row.first);
  return v;
}

std::array<double, 32> BitErrorTable::probabilities_at(double v) const {
  const auto hi = m_rows.lower_bound(v);
  if (hi != m_rows.end() && hi->first == v) return hi->second;
  if (hi == m_rows.end() || hi == m_rows.begin())
    throw ConfigError(m_origin + ": voltage " + fmt_v(v) + " V is outside the table (" + fmt_v(m_rows.begin()->first) +
                      " .. " + fmt_v(m_rows.rbegin()->first) + " V)");
  const auto lo = std::prev(hi);
  const double t = (v - lo->first) / (hi->first - lo->first);
  std::array<double, 32> p{};
  for (std::size_t j = 0; j < p.size(); ++j) {
    const double a = lo->second[j], b = hi->second[j];
    p[j] = (a > 0 && b > 0) ? std::exp(std::log(a) + t * (std::log(b) - std::log(a))) : a + t * (b - a);
  }
  return p;
}

BitflipConfig BitErrorTable::bitflip_config(double v, std::uint64_t seed) const {
  const std::array<double, 32> p = probabilities_at(v);
  BitflipConfig cfg;
  cfg.seed = seed;
  cfg.ber = 0;
  for (double x : p) cfg.ber += x;
  cfg.ber = std::min(cfg.ber, 1.0);
  cfg.bit_lo = 0;
  cfg.bit_hi = 31;
  cfg.bit_weights.assign(p.begin(), p.end());
  return cfg;
}

}  // namespace saffire::faults
