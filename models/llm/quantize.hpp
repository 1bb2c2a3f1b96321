#pragma once
// W8A8 quantization helpers: symmetric abs-max INT8 (q_max = 127), as in ReaLM's fake-quantized models
// (after SmoothQuant's helpers): scale = max(absmax, 1e-5) / 127, q = clamp(round_half_even(x / scale), -127, 127).
// Scales are taken per row, per column or per tensor of an operand; an INT32 product Y = qX * qW of a row-scaled X
// and a column-scaled W dequantizes exactly as y[i,j] * sx[i] * sw[j].
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>

namespace saffire::models::llm {

inline constexpr int kQMax = 127;
inline constexpr float kMinAbsMax = 1e-5f;  // abs-max floor: all-zero rows get a tiny scale, not a division by 0

/// Weight scales: one per output channel (column of the (k, n) weight operand) or one for the tensor.
enum class WeightGranularity : std::uint8_t { PerChannel, PerTensor };
/// Activation scales: one per token (row of the (m, k) activation operand) or one for the tensor.
enum class ActivationGranularity : std::uint8_t { PerToken, PerTensor };

std::string_view to_string(WeightGranularity g);      // "per-channel", "per-tensor"
std::string_view to_string(ActivationGranularity g);  // "per-token", "per-tensor"
/// Parse the names above; throw std::invalid_argument listing the valid names.
WeightGranularity parse_weight_granularity(std::string_view name);
ActivationGranularity parse_activation_granularity(std::string_view name);

/// Which axis of a matrix operand shares a scale.
enum class ScaleAxis : std::uint8_t {
  Tensor,  // one scale
  Row,     // one scale per row (activations per token)
  Column,  // one scale per column (weights per output channel)
};

/// scale of an abs-max: max(absmax, kMinAbsMax) / kQMax.
inline float absmax_scale(float absmax) { return (absmax > kMinAbsMax ? absmax : kMinAbsMax) / kQMax; }

/// One value: clamp(round_half_even(x / scale), -127, 127). nearbyint rounds half to even in the default
/// rounding mode, like torch.round.
inline std::int8_t quantize_value(float x, float scale) {
  const float r = std::nearbyint(x / scale);
  return static_cast<std::int8_t>(std::clamp(r, -static_cast<float>(kQMax), static_cast<float>(kQMax)));
}

/// Quantizes the (rows, cols) matrix src[i * row_stride + j * col_stride] into q (rows, cols) int8 row-major
/// with leading dimension ldq, writing scales: rows values (Row), cols values (Column) or 1 (Tensor).
/// Strides allow transposed views (e.g. K^T of a key cache, or W^T of an [out][in] weight).
void quantize_matrix(const float* src, std::int64_t rows, std::int64_t cols, std::int64_t row_stride,
                     std::int64_t col_stride, ScaleAxis axis, std::int8_t* q, std::int64_t ldq, float* scales);

/// Number of scales quantize_matrix writes for this axis.
inline std::int64_t scale_count(ScaleAxis axis, std::int64_t rows, std::int64_t cols) {
  return axis == ScaleAxis::Row ? rows : axis == ScaleAxis::Column ? cols : 1;
}

/// y[i * ldy + j] (= or +=) acc[i * ldacc + j] * row_scales[i or 0] * col_scales[j or 0] for the (m, n) block.
/// A span of size 1 broadcasts (per-tensor). With add = true the result is added to y (residual connections).
void dequantize(const std::int32_t* acc, std::int64_t m, std::int64_t n, std::int64_t ldacc,
                std::span<const float> row_scales, std::span<const float> col_scales, float* y, std::int64_t ldy,
                bool add = false);

}  // namespace saffire::models::llm
