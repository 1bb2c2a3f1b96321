#pragma once
// LlamaConfig: the shape of a LLaMA-architecture model as stored in a llama2.c checkpoint header.
#include <cstdint>
#include <string>
#include <string_view>

namespace saffire::models::llm {

/// Which pairs of a head RoPE rotates: llama2.c rotates consecutive pairs (i, i+1); Hugging Face's LLaMA
/// (its conversion script permutes the q/k rows for it) rotates (i, i + head_size/2), "rotate half".
enum class RopeStyle : std::uint8_t { Interleaved, RotateHalf };
std::string_view to_string(RopeStyle s);  // "interleaved", "rotate-half"

/// Context extension of the RoPE frequencies (config.json's rope_scaling): none, "linear" (every frequency
/// divided by factor) or "llama3" (LLaMA-3.1: long wavelengths divided by factor, short ones kept, a smooth
/// blend between original_max_position / low_freq_factor and original_max_position / high_freq_factor).
struct RopeScaling {
  enum class Kind : std::uint8_t { None, Linear, Llama3 };
  Kind kind = Kind::None;
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int original_max_position = 8192;
};

/// How positions enter the model: RoPE on q and k (LLaMA family) with its base and scaling.
struct RopeConfig {
  RopeStyle style = RopeStyle::Interleaved;
  double theta = 10000.0;  // base of the frequencies theta^(-2i/head_size)
  RopeScaling scaling;
};

/// The block structure around the GEMMs, by kind rather than by architecture name: which norm, which MLP,
/// how positions enter, which projections carry biases, and OPT-350m's extras. The default is LLaMA's block
/// (llama2.c, LlamaForCausalLM, MistralForCausalLM); hf_config.cpp sets one per Hugging Face architecture.
enum class NormKind : std::uint8_t {
  RmsNorm,    // w * x / sqrt(mean(x^2) + eps)
  LayerNorm,  // w * (x - mean) / sqrt(var + eps) + b (OPT, GPT-2)
};
enum class MlpKind : std::uint8_t {
  SwiGLU,    // Down(silu(Gate(h)) * Up(h)) (LLaMA, Mistral, Qwen2)
  Relu,      // Down(relu(Up(h))): OPT's fc1 is Up, fc2 Down
  GeluTanh,  // Down(gelu_tanh(Up(h))) (GPT-2's gelu_new): c_fc is Up, c_proj Down
};
enum class PositionKind : std::uint8_t {
  Rope,     // q and k rotated (LlamaConfig::rope)
  Learned,  // x += position_embedding[pos + position_offset] after the token embedding (OPT, GPT-2)
};
std::string_view to_string(NormKind n);      // "rmsnorm", "layernorm"
std::string_view to_string(MlpKind m);       // "swiglu", "relu", "gelu-tanh"
std::string_view to_string(PositionKind p);  // "rope", "learned"

struct BlockStyle {
  NormKind norm = NormKind::RmsNorm;
  MlpKind mlp = MlpKind::SwiGLU;
  PositionKind positions = PositionKind::Rope;
  int position_offset = 0;   // OPT: 2 (its table's rows 0 and 1 are never used for unpadded input)
  int position_rows = 0;     // rows of the learned table (>= seq_len + position_offset); Learned only
  bool post_norm = false;    // the norm follows each residual add (OPT-350m: do_layer_norm_before false)
  bool final_norm = true;    // a norm before the classifier (OPT-350m: none)
  bool qkv_bias = false;     // Q, K, V biases (Qwen2, OPT, GPT-2)
  bool o_bias = false;       // O bias (OPT, GPT-2)
  bool mlp_bias = false;     // Up and Down biases (OPT, GPT-2)
  int embed_dim = 0;         // token embedding / classifier width when not dim (OPT-350m's word_embed_proj_dim,
                             // with project_in (dim, E) and project_out (E, dim)); 0: dim, no projections
  bool gated() const { return mlp == MlpKind::SwiGLU; }
  bool projected() const { return embed_dim != 0; }
  /// The llama2.c block (what llama2.c files can hold).
  bool is_llama() const;
  /// Weight GEMMs per layer: Q, K, V, O, [Gate], Up, Down.
  int projections_per_layer() const { return gated() ? 7 : 6; }
};

struct LlamaConfig {
  int dim = 0;                    // D: width of the residual stream (= n_heads * head_size)
  int hidden_dim = 0;             // H: FFN width (w1/w3 output, w2 input)
  int n_layers = 0;               // L: transformer blocks
  int n_heads = 0;                // query heads
  int n_kv_heads = 0;             // key/value heads (< n_heads: grouped-query attention)
  int vocab_size = 0;             // V: tokens
  int seq_len = 0;                // maximum context (positions 0 .. seq_len-1)
  bool shared_classifier = true;  // the output classifier is the token embedding
  RopeConfig rope;                // llama2.c: interleaved, base 10000, no scaling
  float norm_eps = 1e-5f;         // RMSNorm / LayerNorm epsilon (rms_norm_eps, layer_norm_epsilon)
  BlockStyle style;               // LLaMA's block unless a Hugging Face config says otherwise

  int embedding_dim() const { return style.embed_dim != 0 ? style.embed_dim : dim; }  // E

  int head_size() const { return dim / n_heads; }          // hd
  int kv_dim() const { return n_kv_heads * head_size(); }  // width of K and V rows
  int kv_mul() const { return n_heads / n_kv_heads; }      // query heads per KV head

  /// Throws std::invalid_argument naming the first bad field: every value positive and at most a sane
  /// bound (dim <= 65536, hidden_dim <= 262144, vocab_size <= 2^20, n_layers <= 1024, seq_len <= 131072, so
  /// file sizes cannot overflow), dim % n_heads == 0, n_heads % n_kv_heads == 0, even head size.
  void validate() const;

  /// "dim=64 hidden_dim=172 n_layers=5 n_heads=8 n_kv_heads=4 vocab_size=512 seq_len=512 shared_classifier=1"
  std::string to_string() const;

  /// Engine calls per layer and pass in W8A8: the projections plus, when the attention products are
  /// quantized, QK and PV per query head (LLaMA: 7 + 2 * n_heads; non-gated MLPs: 6 + 2 * n_heads).
  int gemms_per_layer(bool quantized_attention) const {
    return style.projections_per_layer() + (quantized_attention ? 2 * n_heads : 0);
  }

  /// Number of fp32 parameters of the weight tensors (classifier counted once when shared).
  std::int64_t parameter_count() const;
};

}  // namespace saffire::models::llm
