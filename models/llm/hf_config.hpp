#pragma once
// HfModelConfig: what saffire reads from a Hugging Face model folder's config.json (`architectures`,
// `model_type` and the architecture's dimensions), checked with the file and key named in every error.
#include <filesystem>
#include <string>
#include <vector>

#include "models/llm/config.hpp"

namespace saffire::models::llm {

/// The architectures the Hugging Face loader knows, by their config.json `architectures` name.
enum class HfArchitecture : std::uint8_t { Llama, Mistral, Qwen2, Opt, Gpt2 };
/// "LlamaForCausalLM", ...
std::string_view to_string(HfArchitecture a);
/// Every supported `architectures` name, comma separated (for error messages and --help).
std::string supported_hf_architectures();

/// What a config.json is read for: Weights (the loader: `architectures` names the class exactly and every key
/// the forward pass needs is checked) or Shapes (topology --model-config: the GEMM shapes only; the family may come
/// from `model_type` (llama, mistral, qwen2, opt, gpt2) or an `architectures` name starting with it, and the
/// context length keys may be absent).
enum class HfConfigUse : std::uint8_t { Weights, Shapes };

struct HfModelConfig {
  std::filesystem::path file;  // the config.json read
  std::string name_or_path;    // `_name_or_path` ("" when absent)
  HfArchitecture architecture = HfArchitecture::Llama;
  std::string model_type;      // "llama", "mistral", "qwen2", "opt", "gpt2"
  std::string torch_dtype;     // as stored ("bfloat16", ...; informative)
  LlamaConfig llama;           // dimensions, block style, RoPE (rotate-half), norm epsilon, tied embeddings
  int bos_token_id = -1;       // -1: not given
  int eos_token_id = -1;
  int sliding_window = 0;      // Mistral, Qwen2 (use_sliding_window): attention window (0: none)
};

/// Reads and checks `config_json`. Throws ModelFileError naming the file and the key: missing or mistyped keys,
/// values out of range, an unknown architecture (the message lists the supported ones), an unsupported
/// hidden_act / activation_function, rope_scaling type or head_dim. Keys per architecture:
/// LLaMA/Mistral/Qwen2: hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
///   num_key_value_heads, vocab_size, max_position_embeddings, rms_norm_eps, rope_theta, rope_scaling.
/// OPT: hidden_size, ffn_dim, num_hidden_layers, num_attention_heads, vocab_size, max_position_embeddings,
///   activation_function (relu, gelu_new), do_layer_norm_before, word_embed_proj_dim, enable_bias,
///   _remove_final_layer_norm; LayerNorm eps 1e-5, positions at offset 2.
/// GPT-2: n_embd, n_inner (null: 4 n_embd), n_layer, n_head, vocab_size, n_positions, layer_norm_epsilon,
///   activation_function (gelu_new); the head is tied.
HfModelConfig read_hf_config(const std::filesystem::path& config_json, HfConfigUse use = HfConfigUse::Weights);

}  // namespace saffire::models::llm
