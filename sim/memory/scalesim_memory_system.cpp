#include "sim/memory/scalesim_memory_system.hpp"

#include <algorithm>
#include <optional>

#include "arch/fold_plan.hpp"
#include "sim/memory/scalesim_fetch_order.hpp"
#include "sim/memory/scalesim_read_buffer.hpp"
#include "sim/memory/scalesim_write_buffer.hpp"

namespace saffire::memory {
namespace {

using arch::ceil_div;
using i64 = std::int64_t;

// First and last cycle a scratchpad serves the array.
struct SpanTracker {
  std::optional<CycleSpan> span;
  void add(i64 cycle) {
    if (!span) span = CycleSpan{cycle, cycle};
    span->stop = cycle;
  }
  CycleSpan get() const { return span.value_or(CycleSpan{}); }
};

// Columns c0..c1 of the line that hold data, as an interval (empty when c0 > c1).
struct Cols {
  i64 lo, hi;
  bool empty() const { return lo > hi; }
};

}  // namespace

MemoryReport simulate_scalesim(const arch::ArrayConfig& array, const arch::GemmShape& s, const ScalesimParams& p) {
  const i64 R = array.rows, C = array.cols, M = s.m, N = s.n, K = s.k;
  const bool ws = array.dataflow == arch::Dataflow::WS;
  // WS folds K over the rows and N over the columns; OS folds M over the rows and N over the columns.
  const i64 row_folds = ceil_div(ws ? K : M, R), col_folds = ceil_div(N, C);
  const i64 per_fold = ws ? 2 * R + C + M - 2 : R + C + K - 2;

  // Fetch orders. WS: X stacked by reduction fold (M rows each, R wide), read by anti-diagonals; W stacked
  // by column fold (K rows each, C wide), row by row. OS: X^T stacked by row fold (K rows, R wide) and W by
  // column fold (K rows, C wide), both by anti-diagonals.
  const DiagonalOrder ifmap_order = ws ? DiagonalOrder(row_folds, M, R, K - (row_folds - 1) * R)
                                       : DiagonalOrder(row_folds, K, R, M - (row_folds - 1) * R);
  const DiagonalOrder filter_order(col_folds, K, C, N - (col_folds - 1) * C);  // OS only
  const i64 filter_cells = ws ? col_folds * K * C : filter_order.cells();

  ScalesimReadBuffer ifmap(p.capacity.ifmap, p.bandwidth.ifmap, M * K, ifmap_order.cells());
  ScalesimReadBuffer filter(p.capacity.filter, p.bandwidth.filter, K * N, filter_cells);
  ScalesimWriteBuffer ofmap(p.capacity.ofmap, p.bandwidth.ofmap);
  SpanTracker ifmap_span, filter_span, ofmap_span;

  i64 stall = 0, line = 0, last_out = 0;
  for (i64 fc = 0; fc < col_folds; ++fc) {
    const i64 nv = std::min(C, N - fc * C);  // valid columns of this fold
    for (i64 fr = 0; fr < row_folds; ++fr) {
      const i64 rv = std::min(R, (ws ? K : M) - fr * R);  // valid rows (WS: of the reduction, OS: of M)
      for (i64 tau = 0; tau < per_fold; ++tau, ++line) {
        const i64 cycle = line + stall;
        i64 wait_i = 0, wait_f = 0;
        // X: row c of the array at this line; WS: X[t][fr*R + c] with t = tau - R - c, OS: X[fr*R + c][k]
        // with k = tau - c.
        const i64 x_t0 = ws ? tau - R : tau;                     // t (WS) or k (OS) of column 0
        const i64 x_len = ws ? M : K;
        const Cols xc{std::max<i64>(0, x_t0 - x_len + 1), std::min(rv - 1, x_t0)};
        if (!xc.empty()) {
          const i64 base = fr * x_len;
          wait_i = ifmap.serve(cycle, ifmap_order.position(base + x_t0 - xc.lo, xc.lo),
                               ifmap_order.position(base + x_t0 - xc.hi, xc.hi));
          ifmap_span.add(cycle + 1 + wait_i);
        }
        // W. WS: line tau < R loads tile row R-1-tau (k = fr*R + R-1-tau) when it is a real row;
        // OS: column c takes W[k][fc*C + c] with k = tau - c.
        if (ws) {
          if (tau < R && tau >= R - rv) {
            const i64 first = fc * K * C + (fr * R + R - 1 - tau) * nv;
            wait_f = filter.serve(cycle, first, first + nv - 1);
            filter_span.add(cycle + 1 + wait_f);
          }
        } else {
          const Cols wc{std::max<i64>(0, tau - K + 1), std::min(nv - 1, tau)};
          if (!wc.empty()) {
            const i64 base = fc * K;
            wait_f = filter.serve(cycle, filter_order.position(base + tau - wc.lo, wc.lo),
                                  filter_order.position(base + tau - wc.hi, wc.hi));
            filter_span.add(cycle + 1 + wait_f);
          }
        }
        // Y. WS: output row t leaves column c at tau = 2R-1 + t + c; OS: tile row R-1-j leaves column c at
        // tau = K-1 + j + c (bottom row first, rows past M are padding).
        const Cols yc = ws ? Cols{std::max<i64>(0, tau - (2 * R - 1) - M + 1), std::min(nv - 1, tau - (2 * R - 1))}
                           : Cols{std::max<i64>(0, tau - (K - 1 + R) + 1), std::min(nv - 1, tau - (K - 1) - (R - rv))};
        i64 wait_o = 0;
        if (!yc.empty()) {
          wait_o = ofmap.write(cycle, yc.hi - yc.lo + 1);
          ofmap_span.add(cycle + wait_o);
        }
        last_out = cycle + wait_o;
        stall += std::max({wait_i, wait_f, wait_o});
      }
    }
  }
  ofmap.finish(last_out);

  MemoryReport r;
  r.compute_cycles = line - 1;
  r.stall_cycles = stall;
  r.total_cycles = r.compute_cycles + r.stall_cycles;
  r.sram_reads = array_side_reads(array, s);
  r.dram_reads = {ifmap.dram_reads(), filter.dram_reads(), 0};
  r.dram_writes = {0, 0, ofmap.dram_writes()};
  r.sram_writes = {r.dram_reads.ifmap, r.dram_reads.filter, array_side_output_writes(array, s)};
  r.sram_spans = {ifmap_span.get(), filter_span.get(), ofmap_span.get()};
  r.dram_spans = {{ifmap.dram_start(), ifmap.dram_stop()},
                  {filter.dram_start(), filter.dram_stop()},
                  {ofmap.dram_start(), ofmap.dram_stop()}};
  return r;
}

}  // namespace saffire::memory
