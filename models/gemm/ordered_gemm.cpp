// Compiled with -ffp-contract=off (CMakeLists.txt): "acc + x * w" must stay two roundings.
#include "models/gemm/ordered_gemm.hpp"

#include <immintrin.h>
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


// AVX-512 register-blocked path for FP32 accumulators and an FP32 output buffer: a 6 x 32 tile of
// partial sums (12 zmm) and the tile's output-buffer words (12 zmm) stay in registers; per reduction
// step two W vectors and six broadcast X values feed twelve FMAs (or multiplies then adds). Each output
// still gets its own chain in k order; only independent outputs share a vector.
constexpr std::int64_t kMr = 6, kNr = 32;

template <bool Fused>
__attribute__((target("avx512f"))) void fp32_tile_avx512(const float* xp, const float* wp, std::int64_t k,
                                                          const Segments& seg, float* out, std::int64_t ldo) {
  __m512 y[kMr][2];
  for (auto& row : y) row[0] = row[1] = _mm512_setzero_ps();
  const __m512 zero = _mm512_setzero_ps();
  for (std::int64_t k0 = 0; k0 < k; k0 += seg.length) {
    const std::int64_t k1 = std::min(k, k0 + seg.length);
    __m512 p[kMr][2];
    for (auto& row : p) row[0] = row[1] = _mm512_setzero_ps();
    for (std::int64_t kk = k0; kk < k1; ++kk) {
      const __m512 w0 = _mm512_loadu_ps(wp + kk * kNr), w1 = _mm512_loadu_ps(wp + kk * kNr + 16);
      const float* xk = xp + kk * kMr;
      for (std::int64_t r = 0; r < kMr; ++r) {
        const __m512 xv = _mm512_set1_ps(xk[r]);
        if constexpr (Fused) {
          p[r][0] = _mm512_fmadd_ps(xv, w0, p[r][0]);
          p[r][1] = _mm512_fmadd_ps(xv, w1, p[r][1]);
        } else {
          p[r][0] = _mm512_add_ps(p[r][0], _mm512_mul_ps(xv, w0));
          p[r][1] = _mm512_add_ps(p[r][1], _mm512_mul_ps(xv, w1));
        }
      }
    }
    const bool pad = seg.pad_short && k1 - k0 < seg.length;
    for (std::int64_t r = 0; r < kMr; ++r)
      for (int h = 0; h < 2; ++h) {
        if (pad) p[r][h] = _mm512_add_ps(p[r][h], zero);  // -0 becomes +0, as the unused rows' 0 x 0 adds
        y[r][h] = _mm512_add_ps(y[r][h], p[r][h]);
      }
  }
  for (std::int64_t r = 0; r < kMr; ++r) {
    _mm512_storeu_ps(out + r * ldo, y[r][0]);
    _mm512_storeu_ps(out + r * ldo + 16, y[r][1]);
  }
}

// Y with FP32 accumulators and buffer on AVX-512: X packed once as float (kMr-row panels, k-major),
// W packed per kNr-column block; blocks of columns on the threads.
bool fp32_gemm_avx512(const NumericGemmArgs& a, const Segments& seg, bool fused, int nthreads) {
  if (!__builtin_cpu_supports("avx512f")) return false;
  const std::int64_t panels = (a.m + kMr - 1) / kMr;
  std::vector<float> xp(static_cast<std::size_t>(panels * a.k * kMr), 0.0f);
#pragma omp parallel for num_threads(nthreads) schedule(static)
  for (std::int64_t pnl = 0; pnl < panels; ++pnl)
    for (std::int64_t r = 0; r < kMr && pnl * kMr + r < a.m; ++r)
      for (std::int64_t kk = 0; kk < a.k; ++kk)
        xp[static_cast<std::size_t>((pnl * a.k + kk) * kMr + r)] = static_cast<float>(a.x[(pnl * kMr + r) * a.ldx + kk]);
  const std::int64_t blocks = (a.n + kNr - 1) / kNr;
#pragma omp parallel num_threads(nthreads)
  {
    std::vector<float> wp(static_cast<std::size_t>(a.k * kNr));
    alignas(64) float out[kMr * kNr];
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t j0 = b * kNr, cols = std::min(kNr, a.n - j0);
      for (std::int64_t kk = 0; kk < a.k; ++kk)
        for (std::int64_t j = 0; j < kNr; ++j)
          wp[static_cast<std::size_t>(kk * kNr + j)] = j < cols ? static_cast<float>(a.w[kk * a.ldw + j0 + j]) : 0.0f;
      for (std::int64_t pnl = 0; pnl < panels; ++pnl) {
        const float* x = &xp[static_cast<std::size_t>(pnl * a.k * kMr)];
        fused ? fp32_tile_avx512<true>(x, wp.data(), a.k, seg, out, kNr)
              : fp32_tile_avx512<false>(x, wp.data(), a.k, seg, out, kNr);
        for (std::int64_t r = 0; r < kMr && pnl * kMr + r < a.m; ++r)
          for (std::int64_t j = 0; j < cols; ++j) a.y[(pnl * kMr + r) * a.ldy + j0 + j] = out[r * kNr + j];
      }
    }
  }
  return true;
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
  if (fast && fp32_buffer && fp32_gemm_avx512(a, seg, numerics.fma, nthreads)) return;
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
