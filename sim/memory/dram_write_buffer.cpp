#include "sim/memory/dram_write_buffer.hpp"

#include <algorithm>

#include "arch/fold_plan.hpp"

namespace saffire::memory {

OutputLayout::OutputLayout(const arch::ArrayConfig& array, const arch::GemmShape& s)
    : m_ws(array.dataflow == arch::Dataflow::WS),
      m_m(s.m),
      m_cols(array.cols),
      m_last_cols(s.n - (arch::ceil_div(s.n, array.cols) - 1) * array.cols),
      m_col_folds(arch::ceil_div(s.n, array.cols)),
      m_block(arch::ceil_div(s.k, array.rows) * s.m * array.cols) {}

DramWriteBuffer::DramWriteBuffer(std::int64_t capacity_words, int word_bytes, std::uint64_t base,
                                 const OutputLayout& layout, DramPort& port)
    : m_half_words(capacity_words / 2), m_word_bytes(word_bytes), m_base(base), m_layout(layout), m_port(port) {}

void DramWriteBuffer::drain(int half, std::int64_t words, std::int64_t cycle) {
  DramPort::Transfer t = m_port.open(cycle);
  const auto bytes = static_cast<std::uint64_t>(m_word_bytes);
  m_layout.for_each_piece(m_stream - words, m_stream, [&](std::int64_t lo, std::int64_t hi) {
    m_port.add(t, m_base + static_cast<std::uint64_t>(lo) * bytes, m_base + static_cast<std::uint64_t>(hi) * bytes,
               dram::Access::Write);
  });
  m_drained += words;
  if (m_first_issue < 0) m_first_issue = cycle;
  m_drains[half] = t;
  m_draining[half] = true;
}

std::int64_t DramWriteBuffer::wait(int half) {
  if (!m_draining[half]) return 0;
  m_draining[half] = false;
  const std::int64_t done = m_port.wait(m_drains[half]);
  m_last_done = std::max(m_last_done, done);
  return done;
}

std::int64_t DramWriteBuffer::write(std::int64_t cycle, std::int64_t words) {
  std::int64_t ready = cycle;
  while (words > 0) {
    if (m_fill == m_half_words) {  // this half is full and draining: move to the other, once it is drained
      m_current = 1 - m_current;
      ready = std::max(ready, wait(m_current));
      m_fill = 0;
    }
    const std::int64_t take = std::min(words, m_half_words - m_fill);
    m_fill += take;
    m_stream += take;
    words -= take;
    if (m_fill == m_half_words) drain(m_current, m_half_words, ready);
  }
  return ready - cycle;
}

std::int64_t DramWriteBuffer::finish(std::int64_t cycle) {
  if (m_fill > 0 && m_fill < m_half_words) drain(m_current, m_fill, cycle);
  return std::max({cycle, wait(0), wait(1)});
}

}  // namespace saffire::memory
