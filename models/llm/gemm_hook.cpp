#include "models/llm/gemm_hook.hpp"

#include <algorithm>
#include <cmath>

namespace saffire::models::llm {

bool output_requantized(Component c) {
  switch (c) {
    case Component::Q:
    case Component::K:
    case Component::V:
    case Component::Gate:
    case Component::Up:
    case Component::PV:
      return true;
    case Component::O:
    case Component::Down:
    case Component::QK:
      return false;
  }
  return false;
}

void output_scales(const QuantizedGemmCall& call, ActivationGranularity granularity, float* out) {
  const Int8GemmArgs& a = call.args;
  float tensor_max = 0.0f;
  for (std::int64_t i = 0; i < a.m; ++i) {
    float row_max = 0.0f;
    for (std::int64_t j = 0; j < a.n; ++j) {
      row_max = std::max(row_max, std::fabs(static_cast<float>(a.y[i * a.ldy + j]) * call.dequant_scale(i, j)));
    }
    if (granularity == ActivationGranularity::PerToken) out[i] = absmax_scale(row_max);
    tensor_max = std::max(tensor_max, row_max);
  }
  if (granularity == ActivationGranularity::PerTensor) out[0] = absmax_scale(tensor_max);
}

}  // namespace saffire::models::llm
