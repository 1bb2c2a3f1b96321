#include "models/llm/config.hpp"

#include <stdexcept>

namespace saffire::models::llm {

namespace {

// Upper bounds keep every size computed from a header well inside int64 and reject garbage headers, with
// room above the largest released LLaMA-family models (Llama 3.1 405B: dim 16384, hidden 53248, 126 layers,
// 128k context; vocabularies up to ~256k).
constexpr int kMaxDim = 1 << 16;       // dim
constexpr int kMaxHidden = 1 << 18;    // hidden_dim
constexpr int kMaxVocab = 1 << 20;     // vocab_size
constexpr int kMaxLayers = 1 << 10;    // n_layers
constexpr int kMaxSeqLen = 1 << 17;    // seq_len (131072)

void check_range(const char* field, int value, int max) {
  if (value <= 0 || value > max) {
    throw std::invalid_argument(std::string(field) + " = " + std::to_string(value) + " is out of range (expected 1.." +
                                std::to_string(max) + ")");
  }
}

}  // namespace

std::string_view to_string(RopeStyle s) { return s == RopeStyle::RotateHalf ? "rotate-half" : "interleaved"; }

std::string_view to_string(NormKind n) { return n == NormKind::LayerNorm ? "layernorm" : "rmsnorm"; }

std::string_view to_string(MlpKind m) {
  switch (m) {
    case MlpKind::Relu:
      return "relu";
    case MlpKind::GeluTanh:
      return "gelu-tanh";
    case MlpKind::SwiGLU:
      break;
  }
  return "swiglu";
}

std::string_view to_string(PositionKind p) { return p == PositionKind::Learned ? "learned" : "rope"; }

bool BlockStyle::is_llama() const {
  return norm == NormKind::RmsNorm && mlp == MlpKind::SwiGLU && positions == PositionKind::Rope && !post_norm &&
         final_norm && !qkv_bias && !o_bias && !mlp_bias && embed_dim == 0;
}

void LlamaConfig::validate() const {
  check_range("dim", dim, kMaxDim);
  check_range("hidden_dim", hidden_dim, kMaxHidden);
  check_range("n_layers", n_layers, kMaxLayers);
  check_range("n_heads", n_heads, dim);
  check_range("n_kv_heads", n_kv_heads, n_heads);
  check_range("vocab_size", vocab_size, kMaxVocab);
  check_range("seq_len", seq_len, kMaxSeqLen);
  if (dim % n_heads != 0) {
    throw std::invalid_argument("dim = " + std::to_string(dim) +
                                " is not a multiple of n_heads = " + std::to_string(n_heads));
  }
  if (n_heads % n_kv_heads != 0) {
    throw std::invalid_argument("n_heads = " + std::to_string(n_heads) +
                                " is not a multiple of n_kv_heads = " + std::to_string(n_kv_heads));
  }
  if (style.positions == PositionKind::Rope && head_size() % 2 != 0) {
    throw std::invalid_argument("head size dim / n_heads = " + std::to_string(head_size()) +
                                " is odd (RoPE rotates pairs)");
  }
  if (!(rope.theta > 1.0 && rope.theta < 1e12)) {
    throw std::invalid_argument("rope_theta = " + std::to_string(rope.theta) + " is out of range (expected 1..1e12)");
  }
  if (rope.scaling.kind != RopeScaling::Kind::None && !(rope.scaling.factor >= 1.0 && rope.scaling.factor < 1e6)) {
    throw std::invalid_argument("rope_scaling.factor = " + std::to_string(rope.scaling.factor) +
                                " is out of range (expected 1..1e6)");
  }
  if (rope.scaling.kind == RopeScaling::Kind::Llama3 &&
      !(rope.scaling.high_freq_factor > rope.scaling.low_freq_factor && rope.scaling.low_freq_factor > 0.0 &&
        rope.scaling.original_max_position > 0)) {
    throw std::invalid_argument(
        "rope_scaling (llama3): expected high_freq_factor > low_freq_factor > 0 and original_max_position_embeddings > 0");
  }
  if (!(norm_eps > 0.0f && norm_eps < 1.0f)) {
    throw std::invalid_argument("norm epsilon = " + std::to_string(norm_eps) + " is out of range (expected 0..1)");
  }
  if (style.positions == PositionKind::Learned &&
      (style.position_offset < 0 || style.position_offset > 1024 ||
       static_cast<std::int64_t>(style.position_rows) < static_cast<std::int64_t>(seq_len) + style.position_offset)) {
    throw std::invalid_argument("learned positions: " + std::to_string(style.position_rows) +
                                " rows cannot hold seq_len = " + std::to_string(seq_len) + " positions at offset " +
                                std::to_string(style.position_offset));
  }
  if (style.embed_dim != 0) check_range("embed_dim", style.embed_dim, kMaxDim);
}

std::string LlamaConfig::to_string() const {
  return "dim=" + std::to_string(dim) + " hidden_dim=" + std::to_string(hidden_dim) +
         " n_layers=" + std::to_string(n_layers) + " n_heads=" + std::to_string(n_heads) +
         " n_kv_heads=" + std::to_string(n_kv_heads) + " vocab_size=" + std::to_string(vocab_size) +
         " seq_len=" + std::to_string(seq_len) + " shared_classifier=" + (shared_classifier ? "1" : "0");
}

std::int64_t LlamaConfig::parameter_count() const {
  const std::int64_t d = dim, h = hidden_dim, l = n_layers, v = vocab_size, kv = kv_dim(), e = embedding_dim();
  const std::int64_t norm_params = style.norm == NormKind::LayerNorm ? 2 : 1;  // weight (and bias)
  const std::int64_t per_layer = 2 * norm_params * d                         // attention and MLP norms
                                 + 2 * d * d + 2 * kv * d                    // wq, wo, wk, wv
                                 + (style.gated() ? 3 : 2) * h * d           // [w1], w2, w3
                                 + (style.qkv_bias ? d + 2 * kv : 0)         // bq, bk, bv
                                 + (style.o_bias ? d : 0)                    // bo
                                 + (style.mlp_bias ? h + d : 0);             // b_up, b_down
  const std::int64_t final_norm = style.final_norm ? norm_params * d : 0;
  const std::int64_t positions = style.positions == PositionKind::Learned ? std::int64_t{style.position_rows} * d : 0;
  const std::int64_t projections = style.projected() ? 2 * e * d : 0;
  return v * e + l * per_layer + final_norm + positions + projections + (shared_classifier ? 0 : v * e);
}

}  // namespace saffire::models::llm
