#include "models/llm/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace saffire::models::llm {

std::string_view to_string(WeightGranularity g) {
  return g == WeightGranularity::PerChannel ? "per-channel" : "per-tensor";
}

std::string_view to_string(ActivationGranularity g) {
  return g == ActivationGranularity::PerToken ? "per-token" : "per-tensor";
}

WeightGranularity parse_weight_granularity(std::string_view name) {
  if (name == "per-channel") return WeightGranularity::PerChannel;
  if (name == "per-tensor") return WeightGranularity::PerTensor;
  throw std::invalid_argument("unknown weight granularity '" + std::string(name) +
                              "' (expected one of: per-channel, per-tensor)");
}

ActivationGranularity parse_activation_granularity(std::string_view name) {
  if (name == "per-token") return ActivationGranularity::PerToken;
  if (name == "per-tensor") return ActivationGranularity::PerTensor;
  throw std::invalid_argument("unknown activation granularity '" + std::string(name) +
                              "' (expected one of: per-token, per-tensor)");
}

std::int8_t quantize_value(float x, float scale) {
  // nearbyint rounds half to even in the default rounding mode, like torch.round.
  const float r = std::nearbyint(x / scale);
  return static_cast<std::int8_t>(std::clamp(r, -static_cast<float>(kQMax), static_cast<float>(kQMax)));
}

void quantize_matrix(const float* src, std::int64_t rows, std::int64_t cols, std::int64_t row_stride,
                     std::int64_t col_stride, ScaleAxis axis, std::int8_t* q, std::int64_t ldq, float* scales) {
  const auto at = [&](std::int64_t i, std::int64_t j) { return src[i * row_stride + j * col_stride]; };
  switch (axis) {
    case ScaleAxis::Tensor: {
      float amax = 0.0f;
      for (std::int64_t i = 0; i < rows; ++i) {
        for (std::int64_t j = 0; j < cols; ++j) amax = std::max(amax, std::fabs(at(i, j)));
      }
      scales[0] = absmax_scale(amax);
      break;
    }
    case ScaleAxis::Row:
      for (std::int64_t i = 0; i < rows; ++i) {
        float amax = 0.0f;
        if (col_stride == 1) {
          const float* r = src + i * row_stride;
          for (std::int64_t j = 0; j < cols; ++j) amax = std::max(amax, std::fabs(r[j]));
        } else {
          for (std::int64_t j = 0; j < cols; ++j) amax = std::max(amax, std::fabs(at(i, j)));
        }
        scales[i] = absmax_scale(amax);
      }
      break;
    case ScaleAxis::Column:
      for (std::int64_t j = 0; j < cols; ++j) scales[j] = 0.0f;
      for (std::int64_t i = 0; i < rows; ++i) {
        for (std::int64_t j = 0; j < cols; ++j) scales[j] = std::max(scales[j], std::fabs(at(i, j)));
      }
      for (std::int64_t j = 0; j < cols; ++j) scales[j] = absmax_scale(scales[j]);
      break;
  }
  for (std::int64_t i = 0; i < rows; ++i) {
    std::int8_t* qr = q + i * ldq;
    if (axis == ScaleAxis::Column) {
      for (std::int64_t j = 0; j < cols; ++j) qr[j] = quantize_value(at(i, j), scales[j]);
    } else {
      const float s = scales[axis == ScaleAxis::Row ? i : 0];
      if (col_stride == 1) {
        const float* r = src + i * row_stride;
        for (std::int64_t j = 0; j < cols; ++j) qr[j] = quantize_value(r[j], s);
      } else {
        for (std::int64_t j = 0; j < cols; ++j) qr[j] = quantize_value(at(i, j), s);
      }
    }
  }
}

void dequantize(const std::int32_t* acc, std::int64_t m, std::int64_t n, std::int64_t ldacc,
                std::span<const float> row_scales, std::span<const float> col_scales, float* y, std::int64_t ldy,
                bool add) {
  const bool per_row = row_scales.size() > 1, per_col = col_scales.size() > 1;
  if ((per_row && static_cast<std::int64_t>(row_scales.size()) < m) ||
      (per_col && static_cast<std::int64_t>(col_scales.size()) < n) || row_scales.empty() || col_scales.empty()) {
    throw std::invalid_argument("dequantize: scale vector sizes do not match the output block");
  }
  for (std::int64_t i = 0; i < m; ++i) {
    const float sx = row_scales[per_row ? static_cast<std::size_t>(i) : 0];
    const std::int32_t* a = acc + i * ldacc;
    float* yr = y + i * ldy;
    if (per_col) {
      const float* sw = col_scales.data();
      if (add) {
        for (std::int64_t j = 0; j < n; ++j) yr[j] += static_cast<float>(a[j]) * sx * sw[j];
      } else {
        for (std::int64_t j = 0; j < n; ++j) yr[j] = static_cast<float>(a[j]) * sx * sw[j];
      }
    } else {
      const float s = sx * col_scales[0];
      if (add) {
        for (std::int64_t j = 0; j < n; ++j) yr[j] += static_cast<float>(a[j]) * s;
      } else {
        for (std::int64_t j = 0; j < n; ++j) yr[j] = static_cast<float>(a[j]) * s;
      }
    }
  }
}

}  // namespace saffire::models::llm
