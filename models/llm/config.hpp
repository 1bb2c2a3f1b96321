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
  float norm_eps = 1e-5f;         // RMSNorm epsilon (config.json: rms_norm_eps)

  int head_size() const { return dim / n_heads; }          // hd
  int kv_dim() const { return n_kv_heads * head_size(); }  // width of K and V rows
  int kv_mul() const { return n_heads / n_kv_heads; }      // query heads per KV head

  /// Throws std::invalid_argument naming the first bad field: every value positive and at most a sane
  /// bound (dim <= 65536, hidden_dim <= 262144, vocab_size <= 2^20, n_layers <= 1024, seq_len <= 131072, so
  /// file sizes cannot overflow), dim % n_heads == 0, n_heads % n_kv_heads == 0, even head size.
  void validate() const;

  /// "dim=64 hidden_dim=172 n_layers=5 n_heads=8 n_kv_heads=4 vocab_size=512 seq_len=512 shared_classifier=1"
  std::string to_string() const;

  /// Number of fp32 parameters of the weight tensors (classifier counted once when shared).
  std::int64_t parameter_count() const;
};

}  // namespace saffire::models::llm
