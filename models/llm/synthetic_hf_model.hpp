#pragma once
// Synthetic Hugging Face folders: config.json and model.safetensors of a LLaMA or GPT-2 model of any size with
// random weights (counter-based Philox from the seed, tensor and element index: the same bytes on every machine),
// streamed to disk tensor by tensor so a 2.2 GB file needs no 2.2 GB buffer. `saffire bench` loads them to
// measure tokens/s and the peak memory of loading; they are not meant to produce meaningful text.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/llm/hf_config.hpp"
#include "models/llm/safetensors.hpp"

namespace saffire::models::llm {

struct SyntheticHfModel {
  HfArchitecture architecture = HfArchitecture::Llama;  // Llama or Gpt2
  int dim = 64;
  int hidden_dim = 172;
  int n_layers = 2;
  int n_heads = 4;
  int n_kv_heads = 4;  // LLaMA only (GPT-2: n_heads)
  int vocab_size = 256;
  int seq_len = 128;
  bool tied = false;   // LLaMA: tie_word_embeddings (GPT-2 is always tied)
  TensorDtype dtype = TensorDtype::BF16;  // F32, F16 or BF16
  std::uint64_t seed = 1;
};

/// GPT-2-small (124M parameters: 768 wide, 12 layers, 12 heads, 50257 tokens, 1024 positions).
SyntheticHfModel gpt2_small_shape();
/// TinyLlama-1.1B (2048 wide, 5632 FFN, 22 layers, 32 heads, 4 KV heads, 32000 tokens, 2048 positions, untied):
/// 2.2 GB in BF16.
SyntheticHfModel tinyllama_shape();

/// One tensor of the synthetic model, in file order, and how its values are drawn.
struct SyntheticTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  float scale = 0;   // values uniform in [-scale, scale) around `center`
  float center = 0;  // 1 for norm weights, 0 otherwise
};
/// The tensors of `m` under the architecture's Hugging Face names (what hf_tensor_layout expects).
std::vector<SyntheticTensor> synthetic_tensors(const SyntheticHfModel& m);
/// Element `index` of tensor number `tensor` (of synthetic_tensors) as FP32, before rounding to the dtype.
float synthetic_value(const SyntheticHfModel& m, const SyntheticTensor& t, std::size_t tensor, std::int64_t index);

/// Writes `dir`/config.json and `dir`/model.safetensors (the folder is created). Throws ModelFileError naming
/// the file when it cannot be written (a full disk included); std::invalid_argument for an unsupported
/// architecture or dtype, or dimensions LlamaConfig::validate rejects.
void write_synthetic_hf_model(const std::filesystem::path& dir, const SyntheticHfModel& m);

/// Bytes of model.safetensors' tensor data for `m` (the mapping a loader reads).
std::int64_t synthetic_data_bytes(const SyntheticHfModel& m);

}  // namespace saffire::models::llm
