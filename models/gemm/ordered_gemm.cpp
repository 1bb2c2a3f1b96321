// Compiled with -ffp-contract=off (CMakeLists.txt): "acc + x * w" must stay two roundings.
#include "models/gemm/ordered_gemm.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "arch/numerics/pe_arithmetic.hpp"

namespace saffire::models {
namespace {

// Length of one reduction segment (WS: a fold of R rows; OS: all of K) and whether a short last
// segment adds the unused rows' 0 x 0.
struct Segments {
  std::int64_t length;
  bool pad_short;
};
Segments segments_of(const AccumulationOrder& order, std::int64_t k) {
  if (order.dataflow == arch::Dataflow::OS) return {std::max<std::int64_t>(k, 1), false};
  if (order.fold_rows < 1) throw std::invalid_argument("ordered_gemm: WS needs fold_rows >= 1");
  return {order.fold_rows, true};
}

void check(const NumericGemmArgs& a, const arch::PeNumerics& numerics) {
  numerics.validate("numerics.");
  if (a.m < 0 || a.n < 0 || a.k < 1 || !a.x || !a.w || !a.y)
    throw std::invalid_argument("ordered_gemm: bad shape or null operand");
}

// Rows [i0, i1) and columns [j0, j1) of Y with the scalar step.
void scalar_block(const NumericGemmArgs& a, const arch::PeArithmetic& arith, const Segments& seg, std::int64_t i0,
                  std::int64_t i1, std::int64_t j0, std::int64_t j1) {
  std::vector<double> p(static_cast<std::size_t>(j1 - j0));
  for (std::int64_t i = i0; i < i1; ++i) {
    double* y = a.y + i * a.ldy;
    for (std::int64_t j = j0; j < j1; ++j) y[j] = 0.0;
    for (std::int64_t k0 = 0; k0 < a.k; k0 += seg.length) {
      const std::int64_t k1 = std::min(a.k, k0 + seg.length);
      std::fill(p.begin(), p.end(), 0.0);
      for (std::int64_t k = k0; k < k1; ++k) {
        const double xv = a.x[i * a.ldx + k];
        const double* w = a.w + k * a.ldw;
        for (std::int64_t j = j0; j < j1; ++j) p[static_cast<std::size_t>(j - j0)] = arith.mac(p[static_cast<std::size_t>(j - j0)], xv, w[j]);
      }
      if (seg.pad_short && k1 - k0 < seg.length)
        for (double& v : p) v = arith.mac(v, 0.0, 0.0);
      for (std::int64_t j = j0; j < j1; ++j) y[j] = arith.buffer_add(y[j], p[static_cast<std::size_t>(j - j0)]);
    }
  }
}

// FP32 accumulators: kRows x kCols outputs at a time in float (every operand is exact in float, and a
// float add, multiply or fmaf rounds once to nearest-even, exactly as the PE does).
constexpr std::int64_t kRows = 4, kCols = 64;

template <bool Fused, bool Fp32Buffer>
void fp32_block(const NumericGemmArgs& a, const arch::PeArithmetic& arith, const Segments& seg, std::int64_t j0,
                std::int64_t cols, std::vector<float>& w_pack) {
  // W[:, j0:j0+cols] as float, (K, kCols), zero-padded columns.
  w_pack.assign(static_cast<std::size_t>(a.k * kCols), 0.0f);
  for (std::int64_t k = 0; k < a.k; ++k)
    for (std::int64_t j = 0; j < cols; ++j)
      w_pack[static_cast<std::size_t>(k * kCols + j)] = static_cast<float>(a.w[k * a.ldw + j0 + j]);
  for (std::int64_t i0 = 0; i0 < a.m; i0 += kRows) {
    const std::int64_t rows = std::min(kRows, a.m - i0);
    alignas(64) float y[kRows][kCols] = {};
    alignas(64) float p[kRows][kCols];
    for (std::int64_t k0 = 0; k0 < a.k; k0 += seg.length) {
      const std::int64_t k1 = std::min(a.k, k0 + seg.length);
      std::memset(p, 0, sizeof p);
      for (std::int64_t k = k0; k < k1; ++k) {
        float xv[kRows];
        for (std::int64_t r = 0; r < kRows; ++r) xv[r] = r < rows ? static_cast<float>(a.x[(i0 + r) * a.ldx + k]) : 0.0f;
        const float* w = &w_pack[static_cast<std::size_t>(k * kCols)];
        for (std::int64_t r = 0; r < kRows; ++r) {
          for (std::int64_t j = 0; j < kCols; ++j) {
            if constexpr (Fused) {
              p[r][j] = std::fma(xv[r], w[j], p[r][j]);
            } else {
              const float prod = xv[r] * w[j];
              p[r][j] = p[r][j] + prod;
            }
          }
        }
      }
      if (seg.pad_short && k1 - k0 < seg.length)
        for (std::int64_t r = 0; r < kRows; ++r)
          for (std::int64_t j = 0; j < kCols; ++j) p[r][j] = p[r][j] + 0.0f;  // -0 becomes +0, as 0 x 0 adds
      for (std::int64_t r = 0; r < kRows; ++r)
        for (std::int64_t j = 0; j < kCols; ++j) {
          if constexpr (Fp32Buffer) {
            y[r][j] = y[r][j] + p[r][j];
          } else {
            y[r][j] = static_cast<float>(arith.buffer_add(y[r][j], p[r][j]));
          }
        }
    }
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t j = 0; j < cols; ++j) a.y[(i0 + r) * a.ldy + j0 + j] = y[r][j];
  }
}

}  // namespace

AccumulationOrder accumulation_order(const arch::ArrayConfig& cfg) { return {cfg.dataflow, cfg.rows}; }

void ordered_gemm(const NumericGemmArgs& a, const arch::PeNumerics& numerics, const AccumulationOrder& order,
                  int threads) {
  check(a, numerics);
  const Segments seg = segments_of(order, a.k);
  const arch::PeArithmetic arith(numerics);
  const std::int64_t blocks = (a.n + kCols - 1) / kCols;
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
  const bool fast = numerics.accumulator == arch::NumberFormat::Fp32;
  const bool fp32_buffer = numerics.output_buffer == arch::NumberFormat::Fp32;
#pragma omp parallel num_threads(nthreads)
  {
    std::vector<float> w_pack;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t j0 = b * kCols, cols = std::min(kCols, a.n - j0);
      if (!fast) {
        scalar_block(a, arith, seg, 0, a.m, j0, j0 + cols);
      } else if (numerics.fma) {
        fp32_buffer ? fp32_block<true, true>(a, arith, seg, j0, cols, w_pack)
                    : fp32_block<true, false>(a, arith, seg, j0, cols, w_pack);
      } else {
        fp32_buffer ? fp32_block<false, true>(a, arith, seg, j0, cols, w_pack)
                    : fp32_block<false, false>(a, arith, seg, j0, cols, w_pack);
      }
    }
  }
}

void ordered_gemm_scalar(const NumericGemmArgs& a, const arch::PeNumerics& numerics, const AccumulationOrder& order) {
  check(a, numerics);
  scalar_block(a, arch::PeArithmetic(numerics), segments_of(order, a.k), 0, a.m, 0, a.n);
}

bool same_value(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

}  // namespace saffire::models
