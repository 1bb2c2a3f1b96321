#pragma once
// Operands of the model's GEMMs on floating-point (and INT16) PEs: what is rounded where.
//
// --precision fp16|bf16|fp8 (HEAL's 16-bit pipeline on an array): every GEMM input is rounded to the PEs'
// operand format at the GEMM boundary, to nearest, ties to even (arch::round_to): the activation operand
// (normed stream, attention output, MLP hidden, Q_h, P) on every call, the weights W^T once at load, K_h^T and
// V_h on every read of the FP32 KV cache (rounding is idempotent, so this equals a cache of the operand type).
// The GEMM itself runs in the array's formats and order; its output (the output buffer's format, FP32 by
// default) is converted to FP32, where norms, RoPE, softmax, activations, residual adds and the classifier stay.
//
// HEAL's mitigations:
// - compensated GEMM: an FP32 operand v = hi + lo * 2^-p, hi = round(v), lo = round((v - hi) * 2^p), both in
//   the operand format (p its significand bits: the scaling keeps lo out of FP16's subnormals), and
//   Y = Xhi Whi + (Xhi Wlo + Xlo Whi) * 2^-p: three GEMMs on the array (lo x lo dropped), combined in FP32.
// - INT16 Q, K, V: Q per token, K per key position, V per channel, symmetric abs-max, the QK^T and PV products
//   INT16 x INT16 -> INT32 (exact, so every array order gives the same bits); P in [0, 1] at the fixed scale
//   1/32767. q_max of Q and K: floor(sqrt((2^31 - 1) / head_size)), so no QK^T sum can leave INT32
//   (16383 at head_size 8, 4096 at 128); V: 32767 (sum of P's codes <= 32767 + S/2, no wrap below 65,000 keys).
#include <cstdint>

#include "arch/numerics/number_format.hpp"

namespace saffire::models::llm {

/// The (rows, cols) matrix src[i * row_stride + j * col_stride] rounded to `format` into hi (rows, cols)
/// row-major with leading dimension ld; when lo is not null, also the compensated low part (scaled by 2^p).
void round_operand(const float* src, std::int64_t rows, std::int64_t cols, std::int64_t row_stride,
                   std::int64_t col_stride, arch::NumberFormat format, double* hi, double* lo, std::int64_t ld);

/// 2^-p of the compensated split in `format` (p = significand bits including the implicit one).
double compensation_scale(arch::NumberFormat format);

/// y[i * ldy + j] (= or +=) fl32(hh + fl32(fl32(hl + lh) * scale)), the FP32 combination of the three
/// compensated GEMMs (each (m, n) contiguous); every step one FP32 rounding (no fused multiply-add).
void combine_compensated(const double* hh, const double* hl, const double* lh, std::int64_t m, std::int64_t n,
                         double scale, float* y, std::int64_t ldy, bool add);

/// y[i * ldy + j] (= or +=) fl32(v[i * n + j]) for an (m, n) contiguous GEMM output.
void store_output(const double* v, std::int64_t m, std::int64_t n, float* y, std::int64_t ldy, bool add);

/// q_max of Q and K for the INT16 QK^T product with `head_size` terms (see above).
int int16_qk_max(int head_size);
inline constexpr int kInt16ValueMax = 32767;
inline constexpr float kInt16ProbabilityScale = 1.0f / 32767.0f;

/// Symmetric abs-max INT16 codes of src (rows, cols) as above, one scale per row (per_row) or per column,
/// scale = max(absmax, 1e-30) / qmax, code = clamp(nearbyint(v / scale), -qmax, qmax), as doubles into q.
void quantize_int16(const float* src, std::int64_t rows, std::int64_t cols, std::int64_t row_stride,
                    std::int64_t col_stride, bool per_row, int qmax, double* q, std::int64_t ld, float* scales);

/// P (rows, cols, leading dimension ldp) in [0, 1] at the fixed scale 1/32767: code = nearbyint(p * 32767).
void quantize_probabilities_int16(const float* p, std::int64_t rows, std::int64_t cols, std::int64_t ldp, double* q,
                                  std::int64_t ld);

/// y[i * ldy + j] = fl32(acc[i * n + j] * row_scale[i] * col_scale[j]) (the INT32 outputs held as doubles);
/// a null row_scale means the constant `row_constant`.
void dequantize_int16(const double* acc, std::int64_t m, std::int64_t n, const float* row_scale, float row_constant,
                      const float* col_scale, float* y, std::int64_t ldy);

}  // namespace saffire::models::llm
