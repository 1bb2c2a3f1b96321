#include "models/llm/ops.hpp"

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

void rmsnorm(float* out, const float* x, const float* w, std::int64_t rows, std::int64_t n) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* o = out + r * n;
    float ss = 0.0f;
#pragma omp simd reduction(+ : ss)
    for (std::int64_t j = 0; j < n; ++j) ss += xr[j] * xr[j];
    ss /= static_cast<float>(n);
    ss += kRmsNormEps;
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

void swiglu(float* hb, const float* up, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    float v = hb[i];
    v *= 1.0f / (1.0f + std::exp(-v));
    hb[i] = v * up[i];
  }
}

RopeTable::RopeTable(int seq_len, int head_size) : m_head_size(head_size) { reserve(seq_len); }

void RopeTable::reserve(int positions) {
  if (positions <= m_positions) return;
  const auto half = static_cast<std::size_t>(m_head_size / 2);
  m_cos.resize(static_cast<std::size_t>(positions) * half);
  m_sin.resize(m_cos.size());
  // Same float arithmetic as llama2.c: freq = 1 / 10000^(i / head_size), angle = pos * freq.
  for (int pos = m_positions; pos < positions; ++pos) {
    for (int i = 0; i < m_head_size; i += 2) {
      const float freq = 1.0f / std::pow(10000.0f, static_cast<float>(i) / static_cast<float>(m_head_size));
      const float val = static_cast<float>(pos) * freq;
      const std::size_t at = static_cast<std::size_t>(pos) * half + static_cast<std::size_t>(i / 2);
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
  for (std::int64_t h0 = 0; h0 < n; h0 += m_head_size) {
    float* v = vec + h0;
    for (std::int64_t i = 0; i < half; ++i) {
      const float v0 = v[2 * i], v1 = v[2 * i + 1];
      v[2 * i] = v0 * c[i] - v1 * s[i];
      v[2 * i + 1] = v0 * s[i] + v1 * c[i];
    }
  }
}

}  // namespace saffire::models::llm
