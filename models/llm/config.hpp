#pragma once
// LlamaConfig: the shape of a LLaMA-architecture model as stored in a llama2.c checkpoint header.
#include <cstdint>
#include <string>

namespace saffire::models::llm {

struct LlamaConfig {
  int dim = 0;                    // D: width of the residual stream (= n_heads * head_size)
  int hidden_dim = 0;             // H: FFN width (w1/w3 output, w2 input)
  int n_layers = 0;               // L: transformer blocks
  int n_heads = 0;                // query heads
  int n_kv_heads = 0;             // key/value heads (< n_heads: grouped-query attention)
  int vocab_size = 0;             // V: tokens
  int seq_len = 0;                // maximum context (positions 0 .. seq_len-1)
  bool shared_classifier = true;  // the output classifier is the token embedding

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
