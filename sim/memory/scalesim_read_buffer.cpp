#include "sim/memory/scalesim_read_buffer.hpp"

#include <algorithm>

#include "arch/fold_plan.hpp"

namespace saffire::memory {

using arch::ceil_div;

ScalesimReadBuffer::ScalesimReadBuffer(std::int64_t capacity_words, std::int64_t bandwidth, std::int64_t valid_words,
                                       std::int64_t order_words)
    : m_bandwidth(bandwidth), m_window(capacity_words, valid_words) {
  const std::int64_t active_words = ceil_div(capacity_words, 2);
  m_first_lines = std::min(ceil_div(active_words, bandwidth), ceil_div(order_words, bandwidth));
  m_slide_lines = ceil_div(capacity_words - active_words, bandwidth);
}

void ScalesimReadBuffer::slide_until(std::int64_t set) {
  while (!m_window.holds(set)) {
    m_window.slide();
    ++m_slides;
  }
}

std::int64_t ScalesimReadBuffer::serve(std::int64_t cycle, std::int64_t first, std::int64_t last) {
  const std::int64_t before = m_slides;
  // The window only moves forward and never skips a set (step <= size), so checking the line's first
  // and last word slides it exactly as checking every word in order would.
  slide_until(m_window.set_of(first));
  slide_until(m_window.set_of(last));
  if (m_slides == before) return 0;
  // Served one cycle after the request at the earliest (hit latency), so the wait is completion - cycle - 1.
  return std::max<std::int64_t>(0, completion(m_slides) - cycle - 1);
}

std::int64_t ScalesimReadBuffer::dram_reads() const {
  return (m_first_lines + m_slides * m_slide_lines) * m_bandwidth;
}

}  // namespace saffire::memory
