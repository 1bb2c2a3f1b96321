#pragma once
// DramWriteBuffer: the double-buffered output scratchpad drained into the DRAM timing model. The array
// writes into one half; when it is full its drain starts at once and the array goes on in the other
// half, waiting only when that half is still draining. After the last line the partial half drains and
// the GEMM ends when the last drain has landed.
//
// Outputs are stored in DRAM in the order the array produces them (OutputLayout), so a drain is a
// contiguous range, except that WS writes the partial sums of every reduction fold over the same outputs.
#include <cstdint>

#include "arch/array_config.hpp"
#include "arch/gemm_shape.hpp"
#include "sim/memory/dram_port.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

/// Where the k-th output word the array writes lives in the ofmap region, in words. The stream runs
/// column fold outer, row fold inner, each fold's outputs in the order they leave the array. OS writes
/// each output once: word k at k. WS writes an M x C' tile per fold (C' the fold's columns); the tiles of
/// one column fold's reduction folds are the same outputs (partial sums overwritten in place).
class OutputLayout {
 public:
  OutputLayout(const arch::ArrayConfig& array, const arch::GemmShape& shape);
  /// Calls f(first_word, end_word) for the contiguous pieces of stream words [k0, k1).
  template <class F>
  void for_each_piece(std::int64_t k0, std::int64_t k1, F&& f) const {
    if (!m_ws) {
      if (k0 < k1) f(k0, k1);
      return;
    }
    while (k0 < k1) {
      const std::int64_t fc = std::min(k0 / m_block, m_col_folds - 1);
      const std::int64_t tile = m_m * (fc == m_col_folds - 1 ? m_last_cols : m_cols);
      const std::int64_t block_start = fc * m_block;
      const std::int64_t in_tile = (k0 - block_start) % tile;
      const std::int64_t run = std::min(k1 - k0, tile - in_tile);
      const std::int64_t at = fc * m_m * m_cols + in_tile;
      f(at, at + run);
      k0 += run;
    }
  }

 private:
  bool m_ws;
  std::int64_t m_m, m_cols, m_last_cols, m_col_folds;
  std::int64_t m_block;  // stream words of one full column fold (WS): row folds * M * C
};

class DramWriteBuffer {
 public:
  DramWriteBuffer(std::int64_t capacity_words, int word_bytes, std::uint64_t base, const OutputLayout& layout,
                  DramPort& port);

  /// Stores `words` outputs at array cycle `cycle`; returns the cycles the array waits.
  std::int64_t write(std::int64_t cycle, std::int64_t words);
  /// Drains what is left from array cycle `cycle` on; returns the cycle the last drain lands (>= cycle).
  std::int64_t finish(std::int64_t cycle);

  std::int64_t dram_words() const { return m_drained; }
  CycleSpan dram_span() const { return {m_first_issue, m_last_done}; }

 private:
  void drain(int half, std::int64_t words, std::int64_t cycle);
  std::int64_t wait(int half);

  std::int64_t m_half_words;
  int m_word_bytes;
  std::uint64_t m_base;
  OutputLayout m_layout;
  DramPort& m_port;
  int m_current = 0;           // the half the array writes into
  std::int64_t m_fill = 0;     // its words
  std::int64_t m_stream = 0;   // output words written so far
  std::int64_t m_drained = 0;  // words handed to the DRAM
  DramPort::Transfer m_drains[2];
  bool m_draining[2] = {false, false};
  std::int64_t m_first_issue = -1, m_last_done = 0;
};

}  // namespace saffire::memory
