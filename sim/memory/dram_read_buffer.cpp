#include "sim/memory/dram_read_buffer.hpp"

#include <algorithm>
#include <utility>

namespace saffire::memory {

DramReadBuffer::DramReadBuffer(std::int64_t capacity_words, std::int64_t valid_words, int word_bytes,
                               std::uint64_t base, WindowPlan plan, DramPort& port)
    : m_window(capacity_words, valid_words),
      m_word_bytes(word_bytes),
      m_base(base),
      m_plan(std::move(plan)),
      m_port(port) {}

DramPort::Transfer DramReadBuffer::request(std::int64_t first_set, std::int64_t sets, std::int64_t cycle) {
  DramPort::Transfer t = m_port.open(cycle);
  const auto bytes = static_cast<std::uint64_t>(m_word_bytes);
  m_window.for_each_piece(first_set, sets, [&](std::int64_t lo, std::int64_t hi) {
    m_port.add(t, m_base + static_cast<std::uint64_t>(lo) * bytes, m_base + static_cast<std::uint64_t>(hi) * bytes,
               dram::Access::Read);
    m_words += hi - lo;
  });
  return t;
}

std::int64_t DramReadBuffer::wait(DramPort::Transfer& t) {
  const std::int64_t done = m_port.wait(t);
  m_last_done = std::max(m_last_done, done);
  return done;
}

void DramReadBuffer::start(std::int64_t cycle) {
  m_first_issue = cycle;
  m_current = request(0, m_window.active_sets(), cycle);
  m_has_next = next_is_slide();
  if (m_has_next) m_next = request(m_window.next_entering(), m_window.prefetch_sets(), cycle);
}

std::int64_t DramReadBuffer::serve(std::int64_t cycle, std::int64_t first, std::int64_t last) {
  for (const std::int64_t p : {first, last}) {
    const std::int64_t set = m_window.set_of(p);
    while (!m_window.holds(set)) {
      // Leaving the window in use: its half is free from this cycle on, once its own refill has landed.
      const std::int64_t free_at = std::max(cycle, wait(m_current));
      const bool slide = m_plan[m_move++];  // plan_windows saw the same positions
      if (slide) {
        m_window.slide();
        m_current = m_next;
      } else {
        // Jump back: the window holding `set` goes into the freed half; the refill ahead (if any) is
        // dropped once it has landed, its half taking the next refill.
        m_window.step_back_to(set);
        m_current = request(m_window.start(), m_window.active_sets(), free_at);
      }
      const std::int64_t other_free = m_has_next && !slide ? std::max(free_at, wait(m_next)) : free_at;
      m_has_next = next_is_slide();
      if (m_has_next) m_next = request(m_window.next_entering(), m_window.prefetch_sets(), other_free);
    }
  }
  return std::max<std::int64_t>(0, wait(m_current) - cycle);
}

}  // namespace saffire::memory
