#pragma once
// FP32 building blocks of the LLaMA forward pass (the llama2.c arithmetic, batched over rows).
// Everything here stays FP32 in the W8A8 model too: norms, RoPE, softmax, SiLU, the classifier.
#include <cstdint>
#include <vector>

#include "models/llm/config.hpp"

namespace saffire::models::llm {

inline constexpr float kRmsNormEps = 1e-5f;

/// out[r, :] = w * (x[r, :] / sqrt(mean(x[r, :]^2) + eps)) for rows r < rows; x, out (rows, n); w (n).
/// out may alias x.
void rmsnorm(float* out, const float* x, const float* w, std::int64_t rows, std::int64_t n, float eps = kRmsNormEps);

/// out[r, :] = w * (x[r, :] - mean) / sqrt(var + eps) + b, mean and (biased) variance over the row; x, out
/// (rows, n); w, b (n). out may alias x.
void layernorm(float* out, const float* x, const float* w, const float* b, std::int64_t rows, std::int64_t n,
               float eps);

/// The block's norm: RMSNorm (b unused) or LayerNorm.
void apply_norm(NormKind kind, float* out, const float* x, const float* w, const float* b, std::int64_t rows,
                std::int64_t n, float eps);

/// y[r, :] += b for rows r < rows; y (rows, ldy), b (n).
void add_bias(float* y, std::int64_t rows, std::int64_t n, std::int64_t ldy, const float* b);

/// Y (t, out) (= or +=) X (t, in) * W^T, W (out, in) row-major as llama2.c stores it (y = W x per row).
void matmul_wt(const float* x, std::int64_t t, std::int64_t in, const float* w, std::int64_t out, float* y,
               bool add = false);

/// Y (m, n) = X (m, k) * Z^T with Z (n, k); all row-major with leading dimensions (strided views of larger
/// buffers, e.g. one head of a (T, dim) query block against the (S, kv_dim) key cache).
void matmul_abt(const float* x, std::int64_t ldx, const float* z, std::int64_t ldz, std::int64_t m, std::int64_t n,
                std::int64_t k, float* y, std::int64_t ldy);

/// Y (m, n) = X (m, k) * Z with Z (k, n); all row-major with leading dimensions.
void matmul_ab(const float* x, std::int64_t ldx, const float* z, std::int64_t ldz, std::int64_t m, std::int64_t n,
               std::int64_t k, float* y, std::int64_t ldy);

/// In-place softmax of x (n).
void softmax(float* x, std::int64_t n);

/// hb[i] = silu(hb[i]) * up[i] for i < n (SwiGLU gate).
void swiglu(float* hb, const float* up, std::int64_t n);

/// x[i] = max(x[i], 0) for i < n (OPT's fc1 activation).
void relu(float* x, std::int64_t n);

/// x[i] = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) for i < n (GPT-2's gelu_new).
void gelu_tanh(float* x, std::int64_t n);

/// RoPE inside each head. Pair j (j < head_size/2) turns by pos * f_j, f_j = theta^(-2j/head_size) (then
/// rescaled as RopeScaling says). Interleaved (llama2.c): pair j is (2j, 2j+1). RotateHalf (Hugging Face):
/// pair j is (j, j + head_size/2).
class RopeTable {
 public:
  RopeTable() = default;
  RopeTable(int seq_len, int head_size, const RopeConfig& rope = {});
  /// Extends the table to positions 0 .. positions - 1 (never shrinks it).
  void reserve(int positions);
  int positions() const { return m_positions; }
  /// Rotates each head of vec (n values, n a multiple of head_size) for position pos.
  void apply(float* vec, std::int64_t n, int pos) const;

 private:
  int m_head_size = 0;
  RopeStyle m_style = RopeStyle::Interleaved;
  std::vector<float> m_freq;  // (head_size / 2) f_j after scaling
  int m_positions = 0;
  std::vector<float> m_cos;  // (seq_len, head_size / 2)
  std::vector<float> m_sin;  // (seq_len, head_size / 2)
};

}  // namespace saffire::models::llm
