#include "sim/faults/fault_deviation.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <tuple>

namespace saffire::faults {

DeviationStats deviation_stats(const std::vector<LoggedFault>& log) {
  // (GEMM name, m, n) -> summed deviation; the name is unique within a run (models::to_string).
  std::map<std::tuple<std::string, std::int64_t, std::int64_t>, std::int64_t> words;
  std::map<std::string, models::Component> gemms;
  DeviationStats stats{};
  for (const LoggedFault& lf : log) {
    const std::string name = models::to_string(lf.gemm);
    words[{name, lf.fault.m, lf.fault.n}] += static_cast<std::int64_t>(lf.values.after) - lf.values.before;
    gemms.emplace(name, lf.gemm.component);
    stats[static_cast<std::size_t>(lf.gemm.component)].faults += 1;
  }
  std::map<std::string, bool> gemm_hit;
  std::array<double, models::kNumComponents> abs_sum{};
  for (const auto& [key, dev] : words) {
    if (dev == 0) continue;  // e.g. two flips that cancel
    const std::string& name = std::get<0>(key);
    const auto c = static_cast<std::size_t>(gemms.at(name));
    ComponentDeviation& s = stats[c];
    s.faulty_words += 1;
    abs_sum[c] += static_cast<double>(std::llabs(dev));
    s.max_abs_deviation = std::max<std::int64_t>(s.max_abs_deviation, std::llabs(dev));
    if (!gemm_hit[name]) {
      gemm_hit[name] = true;
      s.faulty_gemms += 1;
    }
  }
  for (std::size_t c = 0; c < stats.size(); ++c)
    if (stats[c].faulty_words > 0) stats[c].mean_abs_deviation = abs_sum[c] / static_cast<double>(stats[c].faulty_words);
  return stats;
}

}  // namespace saffire::faults
