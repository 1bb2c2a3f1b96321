#include "abft/recover/pe_remapper.hpp"

#include <algorithm>
#include <set>

#include "arch/fold_plan.hpp"

namespace saffire::abft {

PeRemapper::PeRemapper(const arch::ArrayConfig& array, int after, RemapTo to) : m_array(array), m_after(after), m_to(to) {}

std::vector<int> PeRemapper::observe(const arch::GemmShape& shape,
                                     const std::vector<std::pair<std::int64_t, std::int64_t>>& repaired) {
  const bool ws = m_array.dataflow == arch::Dataflow::WS;
  std::set<std::pair<std::int64_t, std::int64_t>> hit;
  for (const auto& [m, n] : repaired) hit.insert({ws ? -1 : m % m_array.rows, n % m_array.cols});
  // PEs this GEMM used without a repaired word lose their streak; PEs it did not use keep theirs.
  const std::int64_t rows_used = std::min<std::int64_t>(shape.m, m_array.rows),
                     cols_used = std::min<std::int64_t>(shape.n, m_array.cols);
  for (auto it = m_streak.begin(); it != m_streak.end();) {
    const auto [r, c] = it->first;
    const bool used = c < cols_used && (r < 0 || r < rows_used);
    it = (used && !hit.count(it->first)) ? m_streak.erase(it) : std::next(it);
  }
  std::vector<int> now;
  for (const auto& pe : hit) {
    const int c = static_cast<int>(pe.second);
    if (std::find(m_retired.begin(), m_retired.end(), c) != m_retired.end()) continue;
    if (++m_streak[pe] >= m_after && std::find(now.begin(), now.end(), c) == now.end()) now.push_back(c);
  }
  for (int c : now) {
    m_retired.push_back(c);
    for (auto it = m_streak.begin(); it != m_streak.end();) it = it->first.second == c ? m_streak.erase(it) : std::next(it);
  }
  return now;
}

std::int64_t PeRemapper::extra_cycles(const arch::GemmShape& shape, std::int64_t extra_cycles_per_fold) const {
  if (m_to == RemapTo::SpareColumn || m_retired.empty()) return 0;
  const auto cycles = [&](const arch::ArrayConfig& cfg) {
    const arch::FoldPlan plan(cfg, shape);
    return plan.count() * (plan.cycles_per_fold() + extra_cycles_per_fold);
  };
  arch::ArrayConfig narrower = m_array;
  narrower.cols = std::max(1, m_array.cols - static_cast<int>(m_retired.size()));
  return cycles(narrower) - cycles(m_array);
}

}  // namespace saffire::abft
