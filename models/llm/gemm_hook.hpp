#pragma once
// GemmHook: where fault injection, ABFT checks and traces see each quantized GEMM of the model with its scales.
//
// For every W8A8 GEMM the transformer (1) quantizes the operands, (2) calls hook.before_gemm, (3) runs
// GemmEngine::gemm, (4) calls hook.after_gemm, which may rewrite the INT32 outputs in call.args.y (a fault, a
// recomputation, a clamp), and (5) dequantizes y[i,j] * x_scales[i] * w_scales[j] to FP32. An engine wrapper
// (a GemmEngine that forwards to another) can also modify the outputs inside gemm(); before_gemm tells it the
// scales of the call it is about to receive.
#include <cstdint>
#include <span>

#include "models/engine/gemm_id.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "models/llm/quantize.hpp"

namespace saffire::models::llm {

/// One quantized GEMM call: Y (m, n) int32 = X (m, k) int8 * W (k, n) int8; Y_fp32[i,j] = y[i,j] * sx(i) * sw(j).
struct QuantizedGemmCall {
  GemmId id;
  Int8GemmArgs args;                // operands and the INT32 output y of the engine call
  std::span<const float> x_scales;  // (m) per token, or (1) per tensor
  std::span<const float> w_scales;  // (n) per output column, or (1) per tensor

  float x_scale(std::int64_t i) const {
    return x_scales.size() > 1 ? x_scales[static_cast<std::size_t>(i)] : x_scales[0];
  }
  float w_scale(std::int64_t j) const {
    return w_scales.size() > 1 ? w_scales[static_cast<std::size_t>(j)] : w_scales[0];
  }
  /// The factor that turns y[i,j] into FP32.
  float dequant_scale(std::int64_t i, std::int64_t j) const { return x_scale(i) * w_scale(j); }
};

class GemmHook {
 public:
  virtual ~GemmHook() = default;
  /// Operands are quantized; call.args.y is not yet written. Called from the model's thread.
  virtual void before_gemm(const QuantizedGemmCall& call) { (void)call; }
  /// call.args.y holds the engine's INT32 output (m, n); the hook may modify it before dequantization.
  virtual void after_gemm(const QuantizedGemmCall& call) { (void)call; }
};

/// Whether a component's output is re-quantized as the input of a later GEMM (Q, K, V, Gate, Up, PV; QK goes
/// through softmax first and is not). ReaLM clamps such faulty outputs to +-127 * s_out of the clean output; O
/// and Down feed the residual stream unclamped.
bool output_requantized(Component c);

/// Abs-max quantization scales of the dequantized output of `call` (the s_out of ReaLM's clamp rule):
/// per token -> call.args.m values, per tensor -> 1 value, written to `out`. Call it on the clean output.
void output_scales(const QuantizedGemmCall& call, ActivationGranularity granularity, float* out);

}  // namespace saffire::models::llm
