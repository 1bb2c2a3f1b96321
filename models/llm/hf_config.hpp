#pragma once
// HfModelConfig: what saffire reads from a Hugging Face model folder's config.json (`architectures`,
// `model_type` and the architecture's dimensions), checked with the file and key named in every error.
#include <filesystem>
#include <string>
#include <vector>

#include "models/llm/config.hpp"

namespace saffire::models::llm {

/// The architectures the Hugging Face loader knows, by their config.json `architectures` name.
enum class HfArchitecture : std::uint8_t { Llama, Mistral };
/// "LlamaForCausalLM", ...
std::string_view to_string(HfArchitecture a);
/// Every supported `architectures` name, comma separated (for error messages and --help).
std::string supported_hf_architectures();

struct HfModelConfig {
  std::filesystem::path file;  // the config.json read
  HfArchitecture architecture = HfArchitecture::Llama;
  std::string model_type;      // "llama", "mistral"
  std::string torch_dtype;     // as stored ("bfloat16", ...; informative)
  LlamaConfig llama;           // dimensions, RoPE (rotate-half), norm epsilon, tied embeddings
  int bos_token_id = -1;       // -1: not given
  int eos_token_id = -1;
  int sliding_window = 0;      // Mistral: attention window (0: none)
};

/// Reads and checks `config_json`. Throws ModelFileError naming the file and the key: missing or mistyped keys,
/// values out of range, an unknown architecture (the message lists the supported ones), an unsupported
/// hidden_act, rope_scaling type or head_dim.
HfModelConfig read_hf_config(const std::filesystem::path& config_json);

}  // namespace saffire::models::llm
