#pragma once
// ScalesimReadBuffer: one read scratchpad (ifmap or filter) as SCALE-Sim v2's read_buffer behaves in its
// USER bandwidth mode, re-derived from its rules (no code of it is here):
//
// - The operand's words are fetched in a fixed order (its "prefetch matrix"), B words per DRAM request
//   line, padding of partial folds included. What the scratchpad holds is a PrefetchWindow
//   (prefetch_window.hpp): sets of the valid words, sliding by half the scratchpad, wrapping (a refetch).
// - The first window is filled before cycle 0. The k-th slide (k = 1, 2, ...) is a request of
//   ceil(P / B) lines issued right after the previous one, so it completes at cycle k * (ceil(P/B) + 1) - 1,
//   whatever the demand; a demand line that needs it waits until then.
// - DRAM reads count whole request lines: min(ceil(A/B), lines of the order) * B for the first window,
//   ceil(P/B) * B per slide.
#include <cstdint>

#include "sim/memory/prefetch_window.hpp"

namespace saffire::memory {

class ScalesimReadBuffer {
 public:
  /// `capacity_words`: the scratchpad in words; `bandwidth`: words per cycle; `valid_words`: the operand's
  /// words in fetch order; `order_words`: the same with the padding of partial folds (>= valid_words).
  ScalesimReadBuffer(std::int64_t capacity_words, std::int64_t bandwidth, std::int64_t valid_words,
                     std::int64_t order_words);

  /// Serves one demand line at array cycle `cycle` whose words sit at fetch positions first..last
  /// (positions among the valid words, increasing along the line). Returns the cycles the array waits.
  std::int64_t serve(std::int64_t cycle, std::int64_t first, std::int64_t last);

  std::int64_t dram_reads() const;
  /// First and last cycle of its DRAM traffic (the first fill's first line is before cycle 0).
  std::int64_t dram_start() const { return -m_first_lines; }
  std::int64_t dram_stop() const { return m_slides == 0 ? -1 : completion(m_slides); }
  std::int64_t slides() const { return m_slides; }

 private:
  void slide_until(std::int64_t set);
  std::int64_t completion(std::int64_t k) const { return k * (m_slide_lines + 1) - 1; }

  std::int64_t m_bandwidth;
  PrefetchWindow m_window;
  std::int64_t m_first_lines;     // request lines of the first fill
  std::int64_t m_slide_lines;     // request lines of one slide: ceil(P / B)
  std::int64_t m_slides = 0;
};

}  // namespace saffire::memory
