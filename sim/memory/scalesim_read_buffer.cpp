#include "sim/memory/scalesim_read_buffer.hpp"

#include <algorithm>

#include "arch/fold_plan.hpp"

namespace saffire::memory {

using arch::ceil_div;

ScalesimReadBuffer::ScalesimReadBuffer(std::int64_t capacity_words, std::int64_t bandwidth, std::int64_t valid_words,
                                       std::int64_t order_words)
    : m_bandwidth(bandwidth) {
  const std::int64_t active_words = ceil_div(capacity_words, 2);  // half serves the array
  const std::int64_t prefetch_words = capacity_words - active_words;
  m_words_per_set = ceil_div(capacity_words, 100);
  m_sets = valid_words / m_words_per_set + 1;  // the trailing set is kept even when empty
  m_active_sets = std::min(ceil_div(active_words, m_words_per_set), m_sets);
  m_prefetch_sets = std::min(ceil_div(prefetch_words, m_words_per_set), m_sets - m_active_sets);
  m_first_lines = std::min(ceil_div(active_words, bandwidth), ceil_div(order_words, bandwidth));
  m_slide_lines = ceil_div(prefetch_words, bandwidth);
}

bool ScalesimReadBuffer::in_window(std::int64_t set) const {
  if (m_prefetch_sets == 0) return true;  // the whole operand fits the active half
  const std::int64_t end = (m_start + m_active_sets) % m_sets;
  return m_start < end ? (set >= m_start && set < end) : (set >= m_start || set < end);
}

void ScalesimReadBuffer::slide_until(std::int64_t set) {
  while (!in_window(set)) {
    m_start = (m_start + m_prefetch_sets) % m_sets;
    ++m_slides;
  }
}

std::int64_t ScalesimReadBuffer::serve(std::int64_t cycle, std::int64_t first, std::int64_t last) {
  const std::int64_t before = m_slides;
  // The window only moves forward and never skips a set (step <= size), so checking the line's first
  // and last word slides it exactly as checking every word in order would.
  slide_until(first / m_words_per_set);
  slide_until(last / m_words_per_set);
  if (m_slides == before) return 0;
  // Served one cycle after the request at the earliest (hit latency), so the wait is completion - cycle - 1.
  return std::max<std::int64_t>(0, completion(m_slides) - cycle - 1);
}

std::int64_t ScalesimReadBuffer::dram_reads() const {
  return (m_first_lines + m_slides * m_slide_lines) * m_bandwidth;
}

}  // namespace saffire::memory
