#pragma once
// Shapes of published LLMs, for timing and energy studies without their weights, and the GEMM list
// one forward pass of them runs (per layer, per head for the attention products).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/engine/gemm_id.hpp"

namespace saffire::models {

// LLaMA: gate/up/down (gated). OPT: fc1/fc2 with ReLU, GPT-2: c_fc/c_proj with GELU (non-gated: fc1 -> Up,
// fc2 -> Down; the two differ only in the activation, not in their GEMMs).
enum class FfnKind { SwiGLU, ReLU, Gelu };

struct ModelShape {
  std::string name;
  int dim = 0;         // model width d
  int hidden_dim = 0;  // FFN width
  int n_layers = 0;
  int n_heads = 0;
  int n_kv_heads = 0;  // grouped-query attention when < n_heads
  int vocab_size = 0;
  FfnKind ffn = FfnKind::SwiGLU;
  int embed_dim = 0;   // token embedding width when not dim (OPT-350m's word_embed_proj_dim): project_in/out GEMMs
  int head_size() const { return dim / n_heads; }
};

/// The presets: opt-125m, opt-1.3b, opt-6.7b, llama-2-7b, llama-3-8b, stories260k.
const std::vector<ModelShape>& model_presets();
/// Looks a preset up by name (case-insensitive); throws std::invalid_argument listing the names.
const ModelShape& model_preset(std::string_view name);

struct ShapedGemm {
  GemmId id;           // layer, component, stage, head (attention products), positions
  std::int64_t m = 0;  // Y[m x n] = X[m x k] * W[k x n]
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::string name;    // "L3.qk.h7" style
};

/// The quantized GEMMs of one forward pass. Prefill: `seq` tokens at once (M = seq, causal
/// attention over seq keys). Decode: one new token at position seq (M = 1, attending seq + 1 keys).
/// With embed_dim set, "project_in" (M x dim x embed_dim) comes first, attributed to layer 0, and "project_out"
/// (M x embed_dim x dim) last, attributed to the last layer; GemmId has no component of their own, so their ids
/// carry Component::O (like O, a dense projection into the residual stream) and they are told apart by name.
std::vector<ShapedGemm> model_gemms(const ModelShape& shape, std::int64_t seq, Stage stage);

}  // namespace saffire::models
