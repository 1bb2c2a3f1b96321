#pragma once
// The array's demand on its three scratchpads, line by line (SCALE-Sim v2's demand matrices, as closed
// forms per line), for every memory model that serves it (scalesim, dram). Folds in order column fold
// outer, row fold inner; per fold:
//   WS (R x C array, weights W[K x N] stationary): 2R + C + M - 2 lines: lines 0..R-1 load the weight
//     tile bottom row first; X row t enters PE row c at line R + t + c; output row t leaves column c at
//     line 2R - 1 + t + c.
//   OS (outputs stationary): R + C + K - 2 lines: X[m][k] enters row c = m mod R at line k + c, W[k][n]
//     column c = n mod C at line k + c; the R x C outputs leave, bottom row first, skewed by column, from
//     line K - 1 on.
// Each line names the fetch-order positions (scalesim_fetch_order.hpp) of the X and W words it reads,
// first and last (the words of one line are increasing in that order), and how many Y words it writes.
#include <algorithm>
#include <cstdint>

#include "arch/array_config.hpp"
#include "arch/fold_plan.hpp"
#include "arch/gemm_shape.hpp"
#include "sim/memory/scalesim_fetch_order.hpp"

namespace saffire::memory {

/// One demand line. `x`/`w` false: the line reads no word of that operand.
struct DemandLine {
  bool x = false;
  std::int64_t x_first = 0, x_last = 0;  // positions in the ifmap fetch order (valid words only)
  bool w = false;
  std::int64_t w_first = 0, w_last = 0;  // positions in the filter fetch order
  std::int64_t y_words = 0;              // outputs written to the ofmap scratchpad
};

/// The fetch orders and the demand lines of one GEMM on one array.
class ScalesimDemand {
 public:
  ScalesimDemand(const arch::ArrayConfig& array, const arch::GemmShape& s)
      : m_rows(array.rows),
        m_cols(array.cols),
        m_ws(array.dataflow == arch::Dataflow::WS),
        m_shape(s),
        m_row_folds(arch::ceil_div(m_ws ? s.k : s.m, m_rows)),
        m_col_folds(arch::ceil_div(s.n, m_cols)),
        // WS: X stacked by reduction fold (M rows each, R wide), read by anti-diagonals; W stacked by
        // column fold (K rows each, C wide), row by row. OS: X^T stacked by row fold (K rows, R wide) and
        // W by column fold (K rows, C wide), both by anti-diagonals.
        m_ifmap_order(m_ws ? DiagonalOrder(m_row_folds, s.m, m_rows, s.k - (m_row_folds - 1) * m_rows)
                           : DiagonalOrder(m_row_folds, s.k, m_rows, s.m - (m_row_folds - 1) * m_rows)),
        m_filter_order(m_col_folds, s.k, m_cols, s.n - (m_col_folds - 1) * m_cols) {}

  std::int64_t ifmap_words() const { return m_shape.m * m_shape.k; }  // valid words in fetch order
  std::int64_t filter_words() const { return m_shape.k * m_shape.n; }
  std::int64_t ifmap_cells() const { return m_ifmap_order.cells(); }  // padding of partial folds included
  std::int64_t filter_cells() const { return m_ws ? m_col_folds * m_shape.k * m_cols : m_filter_order.cells(); }
  std::int64_t lines() const { return m_col_folds * m_row_folds * lines_per_fold(); }
  std::int64_t lines_per_fold() const {
    return m_ws ? 2 * m_rows + m_cols + m_shape.m - 2 : m_rows + m_cols + m_shape.k - 2;
  }

  std::int64_t folds() const { return m_col_folds * m_row_folds; }
  /// The arch::FoldPlan index of the `served`-th fold in this demand's order (column fold outer, row fold
  /// inner; FoldPlan has the same order for WS, row fold outer for OS).
  std::int64_t plan_fold(std::int64_t served) const {
    return m_ws ? served : (served % m_row_folds) * m_col_folds + served / m_row_folds;
  }

  /// Calls f(const DemandLine&) for every line in order.
  template <class F>
  void for_each_line(F&& f) const {
    using i64 = std::int64_t;
    const i64 R = m_rows, C = m_cols, M = m_shape.m, N = m_shape.n, K = m_shape.k;
    const i64 per_fold = lines_per_fold();
    DemandLine d;
    for (i64 fc = 0; fc < m_col_folds; ++fc) {
      const i64 nv = std::min(C, N - fc * C);  // valid columns of this fold
      for (i64 fr = 0; fr < m_row_folds; ++fr) {
        const i64 rv = std::min(R, (m_ws ? K : M) - fr * R);  // valid rows (WS: of the reduction, OS: of M)
        for (i64 tau = 0; tau < per_fold; ++tau) {
          // X: row c of the array at this line; WS: X[t][fr*R + c] with t = tau - R - c, OS: X[fr*R + c][k]
          // with k = tau - c.
          const i64 x_t0 = m_ws ? tau - R : tau;  // t (WS) or k (OS) of column 0
          const i64 x_len = m_ws ? M : K;
          const i64 x_lo = std::max<i64>(0, x_t0 - x_len + 1), x_hi = std::min(rv - 1, x_t0);
          d.x = x_lo <= x_hi;
          if (d.x) {
            const i64 base = fr * x_len;
            d.x_first = m_ifmap_order.position(base + x_t0 - x_lo, x_lo);
            d.x_last = m_ifmap_order.position(base + x_t0 - x_hi, x_hi);
          }
          // W. WS: line tau < R loads tile row R-1-tau (k = fr*R + R-1-tau) when it is a real row;
          // OS: column c takes W[k][fc*C + c] with k = tau - c.
          if (m_ws) {
            d.w = tau < R && tau >= R - rv;
            if (d.w) {
              d.w_first = fc * K * C + (fr * R + R - 1 - tau) * nv;
              d.w_last = d.w_first + nv - 1;
            }
          } else {
            const i64 w_lo = std::max<i64>(0, tau - K + 1), w_hi = std::min(nv - 1, tau);
            d.w = w_lo <= w_hi;
            if (d.w) {
              const i64 base = fc * K;
              d.w_first = m_filter_order.position(base + tau - w_lo, w_lo);
              d.w_last = m_filter_order.position(base + tau - w_hi, w_hi);
            }
          }
          // Y. WS: output row t leaves column c at tau = 2R-1 + t + c; OS: tile row R-1-j leaves column c
          // at tau = K-1 + j + c (bottom row first, rows past M are padding).
          const i64 y_lo = m_ws ? std::max<i64>(0, tau - (2 * R - 1) - M + 1) : std::max<i64>(0, tau - (K - 1 + R) + 1);
          const i64 y_hi = m_ws ? std::min(nv - 1, tau - (2 * R - 1)) : std::min(nv - 1, tau - (K - 1) - (R - rv));
          d.y_words = y_lo <= y_hi ? y_hi - y_lo + 1 : 0;
          f(d);
        }
      }
    }
  }

 private:
  std::int64_t m_rows, m_cols;
  bool m_ws;
  arch::GemmShape m_shape;
  std::int64_t m_row_folds, m_col_folds;
  DiagonalOrder m_ifmap_order, m_filter_order;
};

}  // namespace saffire::memory
