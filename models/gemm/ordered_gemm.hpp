#pragma once
// The GEMM of a PE design in the dataflow's own accumulation order, every step rounded where the
// hardware rounds (arch/numerics/pe_arithmetic.hpp). Y[m x n] = X[m x k] * W[k x n], row-major views.
//
// Order, with mac and buffer_add of PeArithmetic, every sum starting from +0:
//   OS (one PE per output): acc = mac(...mac(mac(+0, x0, w0), x1, w1)..., x_{K-1}, w_{K-1});
//       y = buffer_add(+0, acc).
//   WS (fold_rows = R): for each fold of R reduction steps k0..k0+R-1, in fold order, the partial sum
//       goes down the column, p = mac(+0, x_k0, w_k0), then mac(p, x_k, w_k) row by row (a fold with
//       fewer than R real rows adds one 0 x 0 more, as the unused PE rows do); y = buffer_add(y, p).
// No sum is ever reordered; vectorization runs across independent outputs.
#include <cstdint>

#include "arch/array_config.hpp"
#include "arch/numerics/pe_numerics.hpp"

namespace saffire::models {

/// Operands and outputs as doubles holding values of their formats (NaN: any NaN).
struct NumericGemmArgs {
  std::int64_t m = 0, n = 0, k = 0;
  const double* x = nullptr;  // (m, k) row-major, leading dimension ldx; values of numerics.operand
  std::int64_t ldx = 0;
  const double* w = nullptr;  // (k, n) row-major, leading dimension ldw; values of numerics.operand
  std::int64_t ldw = 0;
  double* y = nullptr;        // (m, n) row-major, leading dimension ldy; values of numerics.output_buffer
  std::int64_t ldy = 0;
};

/// The order of one array: its dataflow and, for WS, its PE rows (the fold's reduction length).
struct AccumulationOrder {
  arch::Dataflow dataflow = arch::Dataflow::OS;
  std::int64_t fold_rows = 0;  // WS: R; unused for OS
};
AccumulationOrder accumulation_order(const arch::ArrayConfig& cfg);

/// Y = X * W in `order` with `numerics` (validated), on up to `threads` OpenMP threads (0 = all).
/// FP32 accumulators take a vectorized path (products and sums in float, which rounds exactly as
/// the hardware does); other formats the scalar step of PeArithmetic.
void ordered_gemm(const NumericGemmArgs& a, const arch::PeNumerics& numerics, const AccumulationOrder& order,
                  int threads = 1);

/// The same on one thread with PeArithmetic's scalar step only (no float fast path): the check that
/// `saffire gemm` runs the array against.
void ordered_gemm_scalar(const NumericGemmArgs& a, const arch::PeNumerics& numerics, const AccumulationOrder& order);

/// True when a and b are the same value of the output format (every NaN equals every NaN; +0 != -0).
bool same_value(double a, double b);

}  // namespace saffire::models
