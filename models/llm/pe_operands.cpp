// Compiled with -ffp-contract=off (CMakeLists.txt): the compensated combination is one FP32 rounding per step.
#include "models/llm/pe_operands.hpp"

#include <algorithm>
#include <cmath>

namespace saffire::models::llm {

void round_operand(const float* src, std::int64_t rows, std::int64_t cols, std::int64_t row_stride,
                   std::int64_t col_stride, arch::NumberFormat format, double* hi, double* lo, std::int64_t ld) {
  const double up = lo ? 1.0 / compensation_scale(format) : 1.0;
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) {
      const double v = src[i * row_stride + j * col_stride];
      const double h = arch::round_to(format, v);
      hi[i * ld + j] = h;
      // v - h is exact in double (both are floats); the power-of-two scaling is exact too.
      if (lo) lo[i * ld + j] = std::isfinite(h) ? arch::round_to(format, (v - h) * up) : 0.0;
    }
}

double compensation_scale(arch::NumberFormat format) { return std::ldexp(1.0, -arch::info(format).precision); }

void combine_compensated(const double* hh, const double* hl, const double* lh, std::int64_t m, std::int64_t n,
                         double scale, float* y, std::int64_t ldy, bool add) {
  const auto s = static_cast<float>(scale);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      const std::int64_t at = i * n + j;
      const float cross = (static_cast<float>(hl[at]) + static_cast<float>(lh[at])) * s;
      const float v = static_cast<float>(hh[at]) + cross;
      float& out = y[i * ldy + j];
      out = add ? out + v : v;
    }
}

void store_output(const double* v, std::int64_t m, std::int64_t n, float* y, std::int64_t ldy, bool add) {
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      const auto f = static_cast<float>(v[i * n + j]);
      float& out = y[i * ldy + j];
      out = add ? out + f : f;
    }
}

int int16_qk_max(int head_size) {
  const double bound = std::floor(std::sqrt(2147483647.0 / std::max(head_size, 1)));
  return static_cast<int>(std::min(bound, 32767.0));
}

void quantize_int16(const float* src, std::int64_t rows, std::int64_t cols, std::int64_t row_stride,
                    std::int64_t col_stride, bool per_row, int qmax, double* q, std::int64_t ld, float* scales) {
  const std::int64_t groups = per_row ? rows : cols, len = per_row ? cols : rows;
  for (std::int64_t g = 0; g < groups; ++g) {
    float absmax = 0.0f;
    for (std::int64_t e = 0; e < len; ++e) {
      const std::int64_t i = per_row ? g : e, j = per_row ? e : g;
      absmax = std::max(absmax, std::fabs(src[i * row_stride + j * col_stride]));
    }
    const float scale = std::max(absmax, 1e-30f) / static_cast<float>(qmax);
    scales[g] = scale;
    for (std::int64_t e = 0; e < len; ++e) {
      const std::int64_t i = per_row ? g : e, j = per_row ? e : g;
      const float r = std::nearbyint(src[i * row_stride + j * col_stride] / scale);
      q[i * ld + j] = std::clamp(static_cast<double>(r), -static_cast<double>(qmax), static_cast<double>(qmax));
    }
  }
}

void quantize_probabilities_int16(const float* p, std::int64_t rows, std::int64_t cols, std::int64_t ldp, double* q,
                                  std::int64_t ld) {
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      q[i * ld + j] = std::clamp(static_cast<double>(std::nearbyint(p[i * ldp + j] * 32767.0f)), 0.0, 32767.0);
}

void dequantize_int16(const double* acc, std::int64_t m, std::int64_t n, const float* row_scale, float row_constant,
                      const float* col_scale, float* y, std::int64_t ldy) {
  for (std::int64_t i = 0; i < m; ++i) {
    const double rs = row_scale ? row_scale[i] : row_constant;
    for (std::int64_t j = 0; j < n; ++j) y[i * ldy + j] = static_cast<float>(acc[i * n + j] * rs * col_scale[j]);
  }
}

}  // namespace saffire::models::llm
