// Compiled with -ffp-contract=off (CMakeLists.txt): "acc + x * w" must stay two roundings.
#include "models/gemm/ordered_gemm.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
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


// AVX-512 path for every other floating-point design (FP16/BF16 accumulators, or an FP32 accumulator
// with a narrower buffer): PeArithmetic's step, eight outputs per vector of doubles. The sum is formed
// with TwoSum and rounded to odd (the inexact lanes whose last bit is even move one ulp towards the
// error), then rounded to nearest-even on the format's grid by scaling to integers (scalef, roundscale,
// both exact), exactly as pe_arithmetic.cpp does one lane at a time.
struct VecFormat {
  double emin, precision_minus_1, max_finite;
};
VecFormat vec_format(arch::NumberFormat f) {
  const arch::FormatInfo& i = arch::info(f);
  return {static_cast<double>(i.emin), static_cast<double>(i.precision - 1), i.max_finite};
}

#define SAFFIRE_AVX512 __attribute__((target("avx512f,avx512dq"), always_inline)) inline

// v rounded to nearest-even on f's grid (formats with infinities: every accumulator and buffer format).
SAFFIRE_AVX512 __m512d round_vec(__m512d v, const VecFormat& f) {
  const __m512d abs_v = _mm512_abs_pd(v);
  const __mmask8 finite = _mm512_cmp_pd_mask(abs_v, _mm512_set1_pd(std::numeric_limits<double>::infinity()), _CMP_LT_OQ);
  const __m512d exponent = _mm512_maskz_max_pd(0xff, _mm512_maskz_getexp_pd(0xff, v), _mm512_set1_pd(f.emin));  // getexp(0) = -inf
  // (maskz forms throughout: GCC 12 warns on the unmasked intrinsics' undefined source)
  const __m512d quantum = _mm512_sub_pd(exponent, _mm512_set1_pd(f.precision_minus_1));
  const __m512d scaled = _mm512_maskz_scalef_pd(0xff, v, _mm512_sub_pd(_mm512_setzero_pd(), quantum));
  const __m512d r = _mm512_maskz_scalef_pd(
      0xff, _mm512_maskz_roundscale_pd(0xff, scaled, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), quantum);
  const __mmask8 overflow = _mm512_cmp_pd_mask(_mm512_abs_pd(r), _mm512_set1_pd(f.max_finite), _CMP_GT_OQ);
  const __m512d inf = _mm512_or_pd(_mm512_set1_pd(std::numeric_limits<double>::infinity()),
                                   _mm512_and_pd(v, _mm512_set1_pd(-0.0)));
  return _mm512_mask_blend_pd(finite, v, _mm512_mask_blend_pd(overflow, r, inf));
}

// a + b rounded to odd (pe_arithmetic.cpp's add_round_to_odd, eight lanes).
SAFFIRE_AVX512 __m512d add_round_to_odd_vec(__m512d a, __m512d b) {
  const __m512d s = _mm512_add_pd(a, b);
  const __m512d bb = _mm512_sub_pd(s, a);
  const __m512d err = _mm512_add_pd(_mm512_sub_pd(a, _mm512_sub_pd(s, bb)), _mm512_sub_pd(b, bb));
  const __m512i bits = _mm512_castpd_si512(s);
  const __mmask8 inexact = _mm512_cmp_pd_mask(err, _mm512_setzero_pd(), _CMP_NEQ_OQ);  // NaN err: no
  const __mmask8 even = _mm512_testn_epi64_mask(bits, _mm512_set1_epi64(1));
  const __mmask8 same_sign =
      _mm512_testn_epi64_mask(_mm512_xor_si512(bits, _mm512_castpd_si512(err)), _mm512_set1_epi64(INT64_MIN));
  const __mmask8 fix = inexact & even;
  __m512i out = _mm512_mask_add_epi64(bits, fix & same_sign, bits, _mm512_set1_epi64(1));   // away from 0
  out = _mm512_mask_sub_epi64(out, fix & static_cast<__mmask8>(~same_sign), out, _mm512_set1_epi64(1));  // towards 0
  return _mm512_castsi512_pd(out);
}

constexpr std::int64_t kVecRows = 4;

template <bool Fused>
__attribute__((target("avx512f,avx512dq"))) void float_block_avx512(const NumericGemmArgs& a, const Segments& seg,
                                                                     const VecFormat& acc_f, const VecFormat& ob_f,
                                                                     std::int64_t i0, std::int64_t rows, std::int64_t j0,
                                                                     std::int64_t cols) {
  const __mmask8 lanes = static_cast<__mmask8>((1u << cols) - 1u);
  __m512d y[kVecRows];
  for (auto& v : y) v = _mm512_setzero_pd();
  for (std::int64_t k0 = 0; k0 < a.k; k0 += seg.length) {
    const std::int64_t k1 = std::min(a.k, k0 + seg.length);
    __m512d p[kVecRows];
    for (auto& v : p) v = _mm512_setzero_pd();
    for (std::int64_t kk = k0; kk < k1; ++kk) {
      const __m512d w = _mm512_maskz_loadu_pd(lanes, a.w + kk * a.ldw + j0);
      for (std::int64_t r = 0; r < kVecRows; ++r) {
        const __m512d x = _mm512_set1_pd(r < rows ? a.x[(i0 + r) * a.ldx + kk] : 0.0);
        __m512d product = _mm512_mul_pd(x, w);  // exact in double
        if constexpr (!Fused) product = round_vec(product, acc_f);
        p[r] = round_vec(add_round_to_odd_vec(p[r], product), acc_f);
      }
    }
    const bool pad = seg.pad_short && k1 - k0 < seg.length;
    for (std::int64_t r = 0; r < kVecRows; ++r) {
      if (pad) p[r] = _mm512_add_pd(p[r], _mm512_setzero_pd());  // -0 becomes +0, as the unused rows' 0 x 0 adds
      y[r] = round_vec(add_round_to_odd_vec(y[r], p[r]), ob_f);
    }
  }
  for (std::int64_t r = 0; r < rows; ++r) _mm512_mask_storeu_pd(a.y + (i0 + r) * a.ldy + j0, lanes, y[r]);
}

bool float_gemm_avx512(const NumericGemmArgs& a, const arch::PeNumerics& numerics, const Segments& seg, int nthreads) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq")) return false;
  const VecFormat acc_f = vec_format(numerics.accumulator), ob_f = vec_format(numerics.output_buffer);
  const std::int64_t col_blocks = (a.n + 7) / 8, row_blocks = (a.m + kVecRows - 1) / kVecRows;
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1) collapse(2)
  for (std::int64_t cb = 0; cb < col_blocks; ++cb)
    for (std::int64_t rb = 0; rb < row_blocks; ++rb) {
      const std::int64_t j0 = cb * 8, i0 = rb * kVecRows;
      const std::int64_t cols = std::min<std::int64_t>(8, a.n - j0), rows = std::min(kVecRows, a.m - i0);
      numerics.fma ? float_block_avx512<true>(a, seg, acc_f, ob_f, i0, rows, j0, cols)
                   : float_block_avx512<false>(a, seg, acc_f, ob_f, i0, rows, j0, cols);
    }
  return true;
}

#undef SAFFIRE_AVX512

// Integer PEs (int8/int16 -> int32): every step wraps mod 2^32, and addition mod 2^32 is associative,
// so any order gives the order's result: the exact sum in int64 (|x*w| <= 2^30, so 2^33 terms fit),
// wrapped once. Operands must be integers of the operand format (PeArithmetic's own requirement).
void integer_gemm(const NumericGemmArgs& a, int nthreads) {
#pragma omp parallel for num_threads(nthreads) schedule(static)
  for (std::int64_t i = 0; i < a.m; ++i) {
    std::vector<std::int64_t> acc(static_cast<std::size_t>(a.n), 0);
    for (std::int64_t k = 0; k < a.k; ++k) {
      const auto xv = static_cast<std::int64_t>(a.x[i * a.ldx + k]);
      const double* w = a.w + k * a.ldw;
      for (std::int64_t j = 0; j < a.n; ++j) acc[static_cast<std::size_t>(j)] += xv * static_cast<std::int64_t>(w[j]);
    }
    for (std::int64_t j = 0; j < a.n; ++j)
      a.y[i * a.ldy + j] = static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(
          static_cast<std::uint64_t>(acc[static_cast<std::size_t>(j)]))));
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
  if (!numerics.is_float()) return integer_gemm(a, nthreads);
  if (fast && fp32_buffer && fp32_gemm_avx512(a, seg, numerics.fma, nthreads)) return;
  if (numerics.is_float() && !(fast && fp32_buffer) && float_gemm_avx512(a, numerics, seg, nthreads)) return;
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
