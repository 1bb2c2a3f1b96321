#pragma once
// PrefetchWindow: which part of an operand a double-buffered read scratchpad holds, as SCALE-Sim v2's
// read_buffer decides it (re-derived from its rules; no code of it is here). The operand's valid words,
// in fetch order, are cut into sets of ceil(capacity / 100) words; the scratchpad holds a window of
// `active` sets (half its words) and slides forward by `prefetch` sets (the other half), wrapping to the
// first set when the order is exhausted (the operand is fetched again). Only the order of the demanded
// positions moves it, never time, so every model that refills it (scalesim, dram) slides it alike.
#include <algorithm>
#include <cstdint>

namespace saffire::memory {

__extension__ using Uint128 = unsigned __int128;  // GCC/Clang extension (-Wpedantic quiet)

class PrefetchWindow {
 public:
  PrefetchWindow(std::int64_t capacity_words, std::int64_t valid_words);

  /// position / words_per_set() (position >= 0), by a multiply with the divisor's reciprocal: the
  /// estimate is the quotient or one less, and one comparison corrects it (the per-line hot path).
  std::int64_t set_of(std::int64_t position) const {
    const auto p = static_cast<std::uint64_t>(position);
    auto q = static_cast<std::uint64_t>((static_cast<Uint128>(p) * m_reciprocal) >> 64);
    q += p - q * static_cast<std::uint64_t>(m_words_per_set) >= static_cast<std::uint64_t>(m_words_per_set);
    return static_cast<std::int64_t>(q);
  }
  bool holds(std::int64_t set) const {
    if (m_prefetch_sets == 0) return true;  // the whole operand fits the active half
    return m_start < m_end ? (set >= m_start && set < m_end) : (set >= m_start || set < m_end);
  }
  /// Slides once (a refill has arrived): the window moves forward by prefetch_sets().
  void slide() { move_to((m_start + m_prefetch_sets) % m_sets); }
  /// True when `set` (not held) lies closer behind the window's start than ahead of its end, going around
  /// the operand. SCALE-Sim slides forward all the way around to it; the dram model jumps back instead.
  bool behind(std::int64_t set) const {
    return (m_start - set + m_sets) % m_sets < (set - m_end + m_sets) % m_sets;
  }
  /// Steps the window back along its own grid, by prefetch_sets() at a time, until it holds `set` (the
  /// dram model's jump back: that window is fetched again). Precondition: prefetch_sets() > 0.
  void step_back_to(std::int64_t set) {
    while (!holds(set)) move_to((m_start - m_prefetch_sets + m_sets) % m_sets);
  }

  std::int64_t sets() const { return m_sets; }
  std::int64_t words_per_set() const { return m_words_per_set; }
  std::int64_t active_sets() const { return m_active_sets; }
  std::int64_t prefetch_sets() const { return m_prefetch_sets; }
  std::int64_t start() const { return m_start; }
  /// The first set the next slide brings in (the one after the window's end).
  std::int64_t next_entering() const { return m_end; }
  /// Valid words of sets [first, first + count) mod sets, and the position range of each of the (at most
  /// two, when it wraps) pieces: calls f(first_position, end_position) for each non-empty piece.
  template <class F>
  void for_each_piece(std::int64_t first, std::int64_t count, F&& f) const {
    while (count > 0) {
      const std::int64_t run = first + count <= m_sets ? count : m_sets - first;
      const std::int64_t lo = first * m_words_per_set;
      const std::int64_t hi = std::min((first + run) * m_words_per_set, m_valid_words);
      if (lo < hi) f(lo, hi);
      count -= run;
      first = 0;
    }
  }

 private:
  std::int64_t m_valid_words;
  std::int64_t m_words_per_set;
  std::int64_t m_sets;           // sets of the fetch order (the last may be partial or empty)
  std::int64_t m_active_sets;    // window size
  std::int64_t m_prefetch_sets;  // window step
  std::int64_t m_start = 0;      // first set of the window
  std::int64_t m_end = 0;        // (m_start + m_active_sets) % m_sets: the set after the window
  std::uint64_t m_reciprocal = 0;  // floor((2^64 - 1) / m_words_per_set), for set_of

  void move_to(std::int64_t start) {
    m_start = start;
    m_end = (m_start + m_active_sets) % m_sets;
  }
};

}  // namespace saffire::memory
