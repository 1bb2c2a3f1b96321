#pragma once
// ScalesimWriteBuffer: the output scratchpad as SCALE-Sim v2's write_buffer behaves, re-derived from its
// rules (no code of it is here):
//
// - Outputs are stored one word at a time into request lines of B words. When more than half the
//   scratchpad is occupied and no drain is running, the partial line is closed (padded) and a drain of
//   ceil(D / B) lines (D = the other half) starts at the current cycle, one line per cycle.
// - While a drain runs, a store into a full scratchpad waits until the drain ends.
// - A drained batch counts B words per line, less the padding of its last line only.
// - After the last demand line, everything left is drained back to back (not counted in the cycles).
#include <cstdint>
#include <vector>

namespace saffire::memory {

class ScalesimWriteBuffer {
 public:
  ScalesimWriteBuffer(std::int64_t capacity_words, std::int64_t bandwidth);

  /// Stores `words` outputs arriving at array cycle `cycle`; returns the cycles the array waits.
  std::int64_t write(std::int64_t cycle, std::int64_t words);
  /// Drains what is left, starting at `cycle`.
  void finish(std::int64_t cycle);

  std::int64_t dram_writes() const { return m_dram_writes; }
  std::int64_t dram_start() const { return m_first_drain; }
  std::int64_t dram_stop() const { return m_last_drain; }

 private:
  void store(std::int64_t words);
  void close_line();
  std::int64_t drain(std::int64_t start);  // returns the cycle of its last line

  std::int64_t m_active;       // ceil(capacity / 2): a drain starts when free space drops below it
  std::int64_t m_drain_lines;  // ceil((capacity - active) / B)
  std::int64_t m_bandwidth;
  std::int64_t m_free;
  std::int64_t m_drain_end = 0;
  std::int64_t m_lines = 0;        // closed request lines
  std::int64_t m_line_fill = 0;    // words in the open line
  std::int64_t m_next_drain = 0;   // first line not yet drained
  std::vector<std::int64_t> m_padded_line, m_padded_words;  // closed partial lines: index, words (increasing)
  std::int64_t m_dram_writes = 0;
  std::int64_t m_first_drain = 0, m_last_drain = 0;
  bool m_drained = false;
};

}  // namespace saffire::memory
