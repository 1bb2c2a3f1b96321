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

namespace {

// max |v[i * stride]| for i < n
float absmax(const float* v, std::int64_t n, std::int64_t stride) {
  float m = 0.0f;
  if (stride == 1) {
    for (std::int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(v[i]));
  } else {
    for (std::int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(v[i * stride]));
  }
  return m;
}

}  // namespace

void quantize_matrix(const float* src, std::int64_t rows, std::int64_t cols, std::int64_t row_stride,
                     std::int64_t col_stride, ScaleAxis axis, std::int8_t* q, std::int64_t ldq, float* scales) {
  // Loops run along the contiguous axis of src: rows of a row-major matrix (col_stride == 1), or columns of a
  // transposed view (row_stride == 1, e.g. K^T of the key cache or W^T of an [out][in] weight).
  const bool by_rows = col_stride == 1 || row_stride != 1;
  switch (axis) {
    case ScaleAxis::Row:
      for (std::int64_t i = 0; i < rows; ++i) scales[i] = absmax_scale(absmax(src + i * row_stride, cols, col_stride));
      break;
    case ScaleAxis::Column:
      for (std::int64_t j = 0; j < cols; ++j) scales[j] = absmax_scale(absmax(src + j * col_stride, rows, row_stride));
      break;
    case ScaleAxis::Tensor: {
      float m = 0.0f;
      if (by_rows) {
        for (std::int64_t i = 0; i < rows; ++i) m = std::max(m, absmax(src + i * row_stride, cols, col_stride));
      } else {
        for (std::int64_t j = 0; j < cols; ++j) m = std::max(m, absmax(src + j * col_stride, rows, row_stride));
      }
      scales[0] = absmax_scale(m);
      break;
    }
  }
  if (by_rows) {
    for (std::int64_t i = 0; i < rows; ++i) {
      const float* r = src + i * row_stride;
      std::int8_t* qr = q + i * ldq;
      if (axis == ScaleAxis::Column) {
        for (std::int64_t j = 0; j < cols; ++j) qr[j] = quantize_value(r[j * col_stride], scales[j]);
      } else {
        const float sc = scales[axis == ScaleAxis::Row ? i : 0];
        if (col_stride == 1) {
          for (std::int64_t j = 0; j < cols; ++j) qr[j] = quantize_value(r[j], sc);
        } else {
          for (std::int64_t j = 0; j < cols; ++j) qr[j] = quantize_value(r[j * col_stride], sc);
        }
      }
    }
  } else {
    for (std::int64_t j = 0; j < cols; ++j) {
      const float* c = src + j * col_stride;  // contiguous down the column
      if (axis == ScaleAxis::Row) {
        for (std::int64_t i = 0; i < rows; ++i) q[i * ldq + j] = quantize_value(c[i], scales[i]);
      } else {
        const float sc = scales[axis == ScaleAxis::Column ? j : 0];
        for (std::int64_t i = 0; i < rows; ++i) q[i * ldq + j] = quantize_value(c[i], sc);
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
