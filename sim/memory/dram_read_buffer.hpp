#pragma once
// DramReadBuffer: a double-buffered read scratchpad (ifmap or filter) refilled from the DRAM timing
// model. What it holds is the scalesim model's PrefetchWindow (the same sets, slides and refetches);
// when it is refilled comes from the DRAM:
//
// - The two halves alternate: window j lives in half j mod 2. At array cycle 0 the first fill (window 0)
//   and, when a second window is ever needed, refill 1 are requested.
// - The line that first demands window j proves window j-1 dead; its half takes refill j+1 from that
//   cycle on (or once refill j-1 has finished writing it, when window j-1 was skipped). Refills are
//   requested only for windows the GEMM will use (their number is known beforehand: windows move with
//   the fetch order, not with time).
// - A line waits until the refill of the window it reads has arrived (DramPort::wait).
//
// Each refill reads the words of the sets it brings in, from the operand's DRAM region laid out in fetch
// order (base + position * word bytes), so one refill is one contiguous range (two when it wraps).
#include <cstdint>

#include "sim/memory/dram_port.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/memory/prefetch_window.hpp"

namespace saffire::memory {

class DramReadBuffer {
 public:
  /// `windows_after_first`: the slides the GEMM will make (count_slides on the same demand).
  DramReadBuffer(std::int64_t capacity_words, std::int64_t valid_words, int word_bytes, std::uint64_t base,
                 std::int64_t windows_after_first, DramPort& port);

  /// Requests the first fill (and refill 1) at array cycle `cycle`.
  void start(std::int64_t cycle);
  /// Serves one demand line at array cycle `cycle` reading fetch positions first..last (increasing);
  /// returns the cycles the array waits.
  std::int64_t serve(std::int64_t cycle, std::int64_t first, std::int64_t last);

  std::int64_t dram_words() const { return m_words; }
  CycleSpan dram_span() const { return {m_first_issue, m_last_done}; }

 private:
  DramPort::Transfer request(std::int64_t first_set, std::int64_t sets, std::int64_t cycle);
  std::int64_t wait(DramPort::Transfer& t);

  PrefetchWindow m_window;
  int m_word_bytes;
  std::uint64_t m_base;
  std::int64_t m_windows_after_first;
  DramPort& m_port;
  std::int64_t m_slides = 0;
  DramPort::Transfer m_current, m_next;  // the window in use and the one after it
  bool m_has_next = false;
  std::int64_t m_words = 0;
  std::int64_t m_first_issue = 0, m_last_done = 0;
};

/// The slides a PrefetchWindow of `capacity_words` over `valid_words` makes when served the lines'
/// positions in order (`positions` calls its argument once per (first, last) pair).
template <class ForEachRange>
std::int64_t count_slides(std::int64_t capacity_words, std::int64_t valid_words, ForEachRange&& positions) {
  PrefetchWindow w(capacity_words, valid_words);
  std::int64_t slides = 0;
  auto reach = [&](std::int64_t p) {
    while (!w.holds(w.set_of(p))) {
      w.slide();
      ++slides;
    }
  };
  positions([&](std::int64_t first, std::int64_t last) {
    reach(first);
    reach(last);
  });
  return slides;
}

}  // namespace saffire::memory
