#pragma once
// Internal: splits one GEMM into disjoint row or column blocks run on OpenMP threads.
// Every block is itself a GEMM on submatrix views (same leading dimensions), so serial kernels
// need no knowledge of threading.
#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "models/gemm/int8_gemm.hpp"

namespace saffire::models::detail {

/// Threads requested by Int8GemmKernel::run(): 0 (or less) means all OpenMP threads.
inline int resolve_gemm_threads(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

/// View of rows [r0, r0+rows) and columns [c0, c0+cols) of the output of `a`.
inline Int8GemmArgs gemm_sub_block(const Int8GemmArgs& a, std::int64_t r0, std::int64_t rows, std::int64_t c0,
                                   std::int64_t cols) {
  Int8GemmArgs s = a;
  s.m = rows;
  s.n = cols;
  s.x = a.x + r0 * a.ldx;
  s.w = a.w + c0;
  s.y = a.y + r0 * a.ldy + c0;
  return s;
}

/// Calls serial(block) for disjoint blocks covering Y, on up to `threads` threads. Splits rows in
/// multiples of `row_align` when every block keeps at least `min_rows` rows, otherwise columns in
/// multiples of `col_align` (GEMV-like shapes, where each thread should read its own part of W);
/// small problems run on the calling thread (a fork costs a few microseconds).
template <class Serial>
void run_gemm_blocks(const Int8GemmArgs& a, int threads, std::int64_t row_align, std::int64_t min_rows,
                     std::int64_t col_align, Serial&& serial) {
  constexpr std::int64_t kMinMacsPerThread = std::int64_t{1} << 20;
  const std::int64_t macs = a.m * a.n * std::max<std::int64_t>(a.k, 1);
  std::int64_t t =
      std::min<std::int64_t>(resolve_gemm_threads(threads), std::max<std::int64_t>(1, macs / kMinMacsPerThread));
  const bool split_rows = a.m >= t * std::max(min_rows, 2 * row_align);
  if (!split_rows) {
    t = std::min<std::int64_t>(t, a.n / (2 * col_align));
  }
  if (t <= 1) {
    serial(a);
    return;
  }
  const std::int64_t total = split_rows ? a.m : a.n;
  const std::int64_t align = split_rows ? row_align : col_align;
  const std::int64_t units = (total + align - 1) / align;
  // Row blocks each repack W, so there is one per thread. Column blocks share nothing: up to four per
  // thread (at least kMinColsPerBlock wide, for long contiguous W rows), handed out dynamically so a
  // thread preempted by another process does not hold up the whole GEMM.
  constexpr std::int64_t kMinColsPerBlock = 1024;
  std::int64_t chunk = (units + t - 1) / t * align;  // aligned, so only the last block has tails
  if (!split_rows) {
    const std::int64_t finer = (std::max((units + 4 * t - 1) / (4 * t), kMinColsPerBlock / align)) * align;
    chunk = std::min(chunk, finer);
  }
  const std::int64_t blocks = (total + chunk - 1) / chunk;
#pragma omp parallel for schedule(dynamic, 1) num_threads(static_cast<int>(t))
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::int64_t lo = b * chunk, len = std::min(chunk, total - lo);
    serial(split_rows ? gemm_sub_block(a, lo, len, 0, a.n) : gemm_sub_block(a, 0, a.m, lo, len));
  }
}

}  // namespace saffire::models::detail
