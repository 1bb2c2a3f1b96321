#include "sim/memory/prefetch_window.hpp"

#include <algorithm>

#include "arch/fold_plan.hpp"

namespace saffire::memory {

using arch::ceil_div;

PrefetchWindow::PrefetchWindow(std::int64_t capacity_words, std::int64_t valid_words)
    : m_valid_words(valid_words), m_words_per_set(ceil_div(capacity_words, 100)) {
  const std::int64_t active_words = ceil_div(capacity_words, 2);  // half serves the array
  const std::int64_t prefetch_words = capacity_words - active_words;
  m_sets = valid_words / m_words_per_set + 1;  // the trailing set is kept even when empty
  m_active_sets = std::min(ceil_div(active_words, m_words_per_set), m_sets);
  m_prefetch_sets = std::min(ceil_div(prefetch_words, m_words_per_set), m_sets - m_active_sets);
}

bool PrefetchWindow::holds(std::int64_t set) const {
  if (m_prefetch_sets == 0) return true;  // the whole operand fits the active half
  const std::int64_t end = (m_start + m_active_sets) % m_sets;
  return m_start < end ? (set >= m_start && set < end) : (set >= m_start || set < end);
}

}  // namespace saffire::memory
