#include "sim/memory/scalesim_write_buffer.hpp"

#include <algorithm>

#include "arch/fold_plan.hpp"

namespace saffire::memory {

using arch::ceil_div;

ScalesimWriteBuffer::ScalesimWriteBuffer(std::int64_t capacity_words, std::int64_t bandwidth)
    : m_active(ceil_div(capacity_words, 2)),
      m_drain_lines(ceil_div(capacity_words - ceil_div(capacity_words, 2), bandwidth)),
      m_bandwidth(bandwidth),
      m_free(capacity_words) {}

void ScalesimWriteBuffer::store(std::int64_t words) {
  m_free -= words;
  const std::int64_t filled = m_line_fill + words;
  m_lines += filled / m_bandwidth;
  m_line_fill = filled % m_bandwidth;
}

void ScalesimWriteBuffer::close_line() {
  if (m_line_fill == 0) return;
  m_padded_line.push_back(m_lines);
  m_padded_words.push_back(m_line_fill);
  ++m_lines;
  m_line_fill = 0;
}

std::int64_t ScalesimWriteBuffer::drain(std::int64_t start) {
  const std::int64_t end = std::min(m_next_drain + m_drain_lines, m_lines);
  const std::int64_t lines = end - m_next_drain;
  if (lines <= 0) return start;
  std::int64_t words = lines * m_bandwidth;
  // Only the batch's last line gives back its padding.
  const auto it = std::lower_bound(m_padded_line.begin(), m_padded_line.end(), end - 1);
  if (it != m_padded_line.end() && *it == end - 1)
    words -= m_bandwidth - m_padded_words[static_cast<std::size_t>(it - m_padded_line.begin())];
  m_dram_writes += words;
  m_free += words;
  m_next_drain = end;
  if (!m_drained) m_first_drain = start, m_drained = true;
  m_last_drain = start + lines - 1;
  return m_last_drain;
}

std::int64_t ScalesimWriteBuffer::write(std::int64_t cycle, std::int64_t words) {
  std::int64_t now = cycle;
  while (words > 0) {
    if (now < m_drain_end) {
      // Stores go on until one fills the scratchpad; that one waits for the drain.
      const std::int64_t until_full = std::max<std::int64_t>(m_free, 1);
      if (words < until_full) {
        store(words);
        break;
      }
      store(until_full);
      words -= until_full;
      now = m_drain_end;
    } else {
      // Stores go on until the occupied part passes the active half; that one starts a drain.
      const std::int64_t until_drain = std::max<std::int64_t>(m_free - m_active + 1, 1);
      if (words < until_drain) {
        store(words);
        break;
      }
      store(until_drain);
      words -= until_drain;
      close_line();
      m_drain_end = drain(now);
    }
  }
  return now - cycle;
}

void ScalesimWriteBuffer::finish(std::int64_t cycle) {
  close_line();
  while (m_next_drain < m_lines) cycle = drain(cycle) + 1;
}

}  // namespace saffire::memory
