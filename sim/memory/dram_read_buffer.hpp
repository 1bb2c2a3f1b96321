#pragma once
// DramReadBuffer: a double-buffered read scratchpad (ifmap or filter) refilled from the DRAM timing
// model. What it holds is the scalesim model's PrefetchWindow (the same sets and forward slides, and the
// wrap to the operand's start that refetches it for the next pass); when it is refilled comes from the
// DRAM:
//
// - The two halves alternate. At array cycle 0 the first fill (window 0) is requested and, when the
//   GEMM's next window is the one after it, that refill too.
// - The line that first demands a later window proves the current one dead; its half takes the refill
//   after next from that cycle on (once its own refill has landed). Refills are requested only for
//   windows the GEMM will use: windows move with the fetch order, not with time, so plan_windows() knows
//   the sequence beforehand.
// - Unlike SCALE-Sim, a demand that steps back behind the window (the skewed demand at a fold boundary,
//   WS weight tiles loaded bottom row first) steps the window back along its grid, half a scratchpad at a
//   time, until it holds that set, and refetches that one window ("jump"), instead of sliding forward
//   around the whole operand; the refill ahead of it is dropped.
// - A line waits until the refill of the window it reads has arrived (DramPort::wait).
//
// Each refill reads the words of the sets it brings in, from the operand's DRAM region laid out in fetch
// order (base + position * word bytes), so one refill is one contiguous range (two when it wraps).
#include <cstdint>
#include <vector>

#include "sim/memory/dram_port.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/memory/prefetch_window.hpp"

namespace saffire::memory {

/// The window moves of one operand, in order: true = slide forward, false = jump back.
using WindowPlan = std::vector<bool>;

class DramReadBuffer {
 public:
  DramReadBuffer(std::int64_t capacity_words, std::int64_t valid_words, int word_bytes, std::uint64_t base,
                 WindowPlan plan, DramPort& port);

  /// Requests the first fill (and the refill after it) at array cycle `cycle`.
  void start(std::int64_t cycle);
  /// Serves one demand line at array cycle `cycle` reading fetch positions first..last (increasing);
  /// returns the cycles the array waits.
  std::int64_t serve(std::int64_t cycle, std::int64_t first, std::int64_t last);

  std::int64_t dram_words() const { return m_words; }
  CycleSpan dram_span() const { return {m_first_issue, m_last_done}; }

 private:
  DramPort::Transfer request(std::int64_t first_set, std::int64_t sets, std::int64_t cycle);
  std::int64_t wait(DramPort::Transfer& t);
  bool next_is_slide() const { return m_move < m_plan.size() && m_plan[m_move]; }

  PrefetchWindow m_window;
  int m_word_bytes;
  std::uint64_t m_base;
  WindowPlan m_plan;
  DramPort& m_port;
  std::size_t m_move = 0;                // moves made so far
  DramPort::Transfer m_current, m_next;  // the window in use and the one after it
  bool m_has_next = false;
  std::int64_t m_words = 0;
  std::int64_t m_first_issue = 0, m_last_done = 0;
};

/// The window moves of a PrefetchWindow of `capacity_words` over `valid_words` served the lines'
/// positions in order (`positions` calls its argument once per (first, last) pair).
template <class ForEachRange>
WindowPlan plan_windows(std::int64_t capacity_words, std::int64_t valid_words, ForEachRange&& positions) {
  PrefetchWindow w(capacity_words, valid_words);
  WindowPlan plan;
  auto reach = [&](std::int64_t p) {
    const std::int64_t set = w.set_of(p);
    while (!w.holds(set)) {
      const bool back = w.behind(set);
      plan.push_back(!back);
      if (back)
        w.step_back_to(set);
      else
        w.slide();
    }
  };
  positions([&](std::int64_t first, std::int64_t last) {
    reach(first);
    reach(last);
  });
  return plan;
}

}  // namespace saffire::memory
