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
  m_reciprocal = ~std::uint64_t{0} / static_cast<std::uint64_t>(m_words_per_set);
  move_to(0);
}


}  // namespace saffire::memory
