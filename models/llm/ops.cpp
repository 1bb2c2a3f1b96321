#include "models/llm/ops.hpp"

#include <algorithm>
#include <cmath>

// Deterministic results: Eigen must not split products across threads.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>

namespace saffire::models::llm {

namespace {
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using Map = Eigen::Map<RowMatrix>;
using StridedConstMap = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;
using StridedMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;
}  // namespace

void rmsnorm(float* out, const float* x, const float* w, std::int64_t rows, std::int64_t n, float eps) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* o = out + r * n;
    float ss = 0.0f;
#pragma omp simd reduction(+ : ss)
    for (std::int64_t j = 0; j < n; ++j) ss += xr[j] * xr[j];
    ss /= static_cast<float>(n);
    ss += eps;
    ss = 1.0f / std::sqrt(ss);
    for (std::int64_t j = 0; j < n; ++j) o[j] = w[j] * (ss * xr[j]);
  }
}

void matmul_wt(const float* x, std::int64_t t, std::int64_t in, const float* w, std::int64_t out, float* y, bool add) {
  const ConstMap xm(x, t, in);
  const ConstMap wm(w, out, in);
  Map ym(y, t, out);
  if (add) {
    ym.noalias() += xm * wm.transpose();
  } else {
    ym.noalias() = xm * wm.transpose();
  }
}

void matmul_abt(const float* x, std::int64_t ldx, const float* z, std::int64_t ldz, std::int64_t m, std::int64_t n,
                std::int64_t k, float* y, std::int64_t ldy) {
  const StridedConstMap xm(x, m, k, Eigen::OuterStride<>(ldx));
  const StridedConstMap zm(z, n, k, Eigen::OuterStride<>(ldz));
  StridedMap ym(y, m, n, Eigen::OuterStride<>(ldy));
  ym.noalias() = xm * zm.transpose();
}

void matmul_ab(const float* x, std::int64_t ldx, const float* z, std::int64_t ldz, std::int64_t m, std::int64_t n,
               std::int64_t k, float* y, std::int64_t ldy) {
  const StridedConstMap xm(x, m, k, Eigen::OuterStride<>(ldx));
  const StridedConstMap zm(z, k, n, Eigen::OuterStride<>(ldz));
  StridedMap ym(y, m, n, Eigen::OuterStride<>(ldy));
  ym.noalias() = xm * zm;
}

void softmax(float* x, std::int64_t n) {
  float max_val = x[0];
  for (std::int64_t i = 1; i < n; ++i) max_val = x[i] > max_val ? x[i] : max_val;
  float sum = 0.0f;
  for (std::int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max_val);
    sum += x[i];
  }
  for (std::int64_t i = 0; i < n; ++i) x[i] /= sum;
}

void layernorm(float* out, const float* x, const float* w, const float* b, std::int64_t rows, std::int64_t n,
               float eps) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* o = out + r * n;
    // Two passes (mean, then variance about it): no cancellation for rows with a large mean.
    double sum = 0.0;
    for (std::int64_t j = 0; j < n; ++j) sum += xr[j];
    const auto mean = static_cast<float>(sum / static_cast<double>(n));
    double sq = 0.0;
    for (std::int64_t j = 0; j < n; ++j) sq += static_cast<double>(xr[j] - mean) * (xr[j] - mean);
    const auto inv = static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(n) + eps));
    for (std::int64_t j = 0; j < n; ++j) o[j] = w[j] * ((xr[j] - mean) * inv) + b[j];
  }
}

void apply_norm(NormKind kind, float* out, const float* x, const float* w, const float* b, std::int64_t rows,
                std::int64_t n, float eps) {
  if (kind == NormKind::LayerNorm) {
    layernorm(out, x, w, b, rows, n, eps);
  } else {
    rmsnorm(out, x, w, rows, n, eps);
  }
}

void add_bias(float* y, std::int64_t rows, std::int64_t n, std::int64_t ldy, const float* b) {
  for (std::int64_t r = 0; r < rows; ++r) {
    float* yr = y + r * ldy;
    for (std::int64_t j = 0; j < n; ++j) yr[j] += b[j];
  }
}

void relu(float* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] = std::max(x[i], 0.0f);
}

void gelu_tanh(float* x, std::int64_t n) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  for (std::int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    x[i] = 0.5f * v * (1.0f + std::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v)));
  }
}

void swiglu(float* hb, const float* up, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    float v = hb[i];
    v *= 1.0f / (1.0f + std::exp(-v));
    hb[i] = v * up[i];
  }
}

namespace {

// f_j after RopeScaling. LLaMA-3.1's rule (HF's _compute_llama3_parameters): wavelength 2 pi / f; below
// original / high_freq_factor keep f, above original / low_freq_factor divide by factor, blend in between.
float scaled_frequency(float f, const RopeScaling& s) {
  switch (s.kind) {
    case RopeScaling::Kind::None:
      return f;
    case RopeScaling::Kind::Linear:
      return static_cast<float>(f / s.factor);
    case RopeScaling::Kind::Llama3: {
      const double old_ctx = s.original_max_position;
      const double low_wavelen = old_ctx / s.low_freq_factor, high_wavelen = old_ctx / s.high_freq_factor;
      const double wavelen = 2.0 * 3.14159265358979323846 / f;
      if (wavelen < high_wavelen) return f;
      if (wavelen > low_wavelen) return static_cast<float>(f / s.factor);
      const double smooth = (old_ctx / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
      return static_cast<float>((1.0 - smooth) * f / s.factor + smooth * f);
    }
  }
  return f;
}

}  // namespace

RopeTable::RopeTable(int seq_len, int head_size, const RopeConfig& rope) : m_head_size(head_size), m_style(rope.style) {
  m_freq.resize(static_cast<std::size_t>(head_size / 2));
  for (int i = 0; i < head_size; i += 2) {
    // llama2.c's float arithmetic: freq = 1 / theta^(i / head_size) for even i (bit-identical at theta 10000).
    const float freq =
        1.0f / std::pow(static_cast<float>(rope.theta), static_cast<float>(i) / static_cast<float>(head_size));
    m_freq[static_cast<std::size_t>(i / 2)] = scaled_frequency(freq, rope.scaling);
  }
  reserve(seq_len);
}

void RopeTable::reserve(int positions) {
  if (positions <= m_positions) return;
  const auto half = static_cast<std::size_t>(m_head_size / 2);
  m_cos.resize(static_cast<std::size_t>(positions) * half);
  m_sin.resize(m_cos.size());
  for (int pos = m_positions; pos < positions; ++pos) {
    for (std::size_t j = 0; j < half; ++j) {
      const float val = static_cast<float>(pos) * m_freq[j];
      const std::size_t at = static_cast<std::size_t>(pos) * half + j;
      m_cos[at] = std::cos(val);
      m_sin[at] = std::sin(val);
    }
  }
  m_positions = positions;
}

void RopeTable::apply(float* vec, std::int64_t n, int pos) const {
  const std::int64_t half = m_head_size / 2;
  const float* c = m_cos.data() + static_cast<std::int64_t>(pos) * half;
  const float* s = m_sin.data() + static_cast<std::int64_t>(pos) * half;
  // Pair j of a head: (2j, 2j+1) interleaved, (j, j + half) rotate-half.
  const std::int64_t stride = m_style == RopeStyle::RotateHalf ? 1 : 2;
  const std::int64_t partner = m_style == RopeStyle::RotateHalf ? half : 1;
  for (std::int64_t h0 = 0; h0 < n; h0 += m_head_size) {
    float* v = vec + h0;
    for (std::int64_t i = 0; i < half; ++i) {
      float& a = v[stride * i];
      float& b = v[stride * i + partner];
      const float v0 = a, v1 = b;
      a = v0 * c[i] - v1 * s[i];
      b = v0 * s[i] + v1 * c[i];
    }
  }
}

}  // namespace saffire::models::llm
