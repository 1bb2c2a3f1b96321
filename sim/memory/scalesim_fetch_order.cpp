#include "sim/memory/scalesim_fetch_order.hpp"

#include <algorithm>

namespace saffire::memory {
namespace {

std::int64_t triangle(std::int64_t x) { return x > 0 ? x * (x + 1) / 2 : 0; }  // #{r, c >= 0: r + c < x}

}  // namespace

std::int64_t cells_before_diagonal(std::int64_t d, std::int64_t rows, std::int64_t cols) {
  if (rows <= 0 || cols <= 0) return 0;
  return triangle(d) - triangle(d - rows) - triangle(d - cols) + triangle(d - rows - cols);
}

DiagonalOrder::DiagonalOrder(std::int64_t folds, std::int64_t fold_rows, std::int64_t width, std::int64_t last_width)
    : m_rows(folds * fold_rows), m_width(width), m_last_start((folds - 1) * fold_rows), m_last_width(last_width) {}

std::int64_t DiagonalOrder::position(std::int64_t row, std::int64_t col) const {
  const std::int64_t d = row + col;
  // Valid cells on the earlier diagonals: all cells less the padding rectangle's
  // (rows m_last_start.., columns m_last_width..).
  const std::int64_t before = cells_before_diagonal(d, m_rows, m_width) -
                              cells_before_diagonal(d - m_last_start - m_last_width, m_rows - m_last_start,
                                                    m_width - m_last_width);
  // On diagonal d the cells run from column d - min(d, rows - 1) up; padding there has col >= last_width
  // and row = d - col >= last_start.
  const std::int64_t first_col = d - std::min(d, m_rows - 1);
  const std::int64_t pad_lo = std::max(first_col, m_last_width);
  const std::int64_t pad_hi = std::min(col - 1, d - m_last_start);
  const std::int64_t padding = std::max<std::int64_t>(0, pad_hi - pad_lo + 1);
  return before + (col - first_col) - padding;
}

}  // namespace saffire::memory
