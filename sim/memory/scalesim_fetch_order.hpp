#pragma once
// Where each operand word sits in the order SCALE-Sim v2 fetches it from DRAM (its "prefetch matrix"):
// the operand is cut into folds along one array edge, the folds are stacked (a fold narrower than the
// edge is padded), and the stack is read by anti-diagonals (row + col = 0, 1, ...; within one, the
// column increasing), which is the order the skewed array consumes it. The WS weights are read row by row.
#include <cstdint>

namespace saffire::memory {

/// A stack of `folds` folds of `fold_rows` rows each, `width` columns wide; the last fold holds only
/// `last_width` valid columns (the rest is padding, fetched but never demanded).
class DiagonalOrder {
 public:
  DiagonalOrder(std::int64_t folds, std::int64_t fold_rows, std::int64_t width, std::int64_t last_width);
  /// The index of valid cell (row, col) among the valid cells in anti-diagonal order.
  std::int64_t position(std::int64_t row, std::int64_t col) const;
  std::int64_t cells() const { return m_rows * m_width; }  // padding included

 private:
  std::int64_t m_rows, m_width, m_last_start, m_last_width;
};

/// #{(r, c): 0 <= r < rows, 0 <= c < cols, r + c < d}: cells of a rows x cols rectangle on the
/// anti-diagonals before d (inclusion-exclusion over the corner triangle).
std::int64_t cells_before_diagonal(std::int64_t d, std::int64_t rows, std::int64_t cols);

}  // namespace saffire::memory
