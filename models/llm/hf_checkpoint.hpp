#pragma once
// Hugging Face model folders (config.json + model.safetensors or its shards) loaded into a Checkpoint.
//
// LlamaForCausalLM and MistralForCausalLM: model.embed_tokens, model.layers.N.{input_layernorm,
// self_attn.{q,k,v,o}_proj, post_attention_layernorm, mlp.{gate,up,down}_proj}, model.norm, lm_head (absent when
// tie_word_embeddings). The q/k rows are kept as Hugging Face stores them (permuted for rotate-half RoPE), so the
// checkpoint's config says RopeStyle::RotateHalf. F32, F16 and BF16 tensors are converted tensor by tensor from
// the memory-mapped files into the FP32 weights, or (MappedProjections) only the tensors other than the
// projections, which the W8A8 transformer quantizes row by row from the mapping.
#include <filesystem>

#include "models/llm/checkpoint.hpp"
#include "models/llm/hf_config.hpp"

namespace saffire::models::llm {

/// True when `path` is a folder holding a config.json.
bool is_hf_model_dir(const std::filesystem::path& path);

/// Loads the folder. Throws ModelFileError naming the file and key or tensor: config.json missing or bad
/// (read_hf_config), weights missing, a tensor missing or of the wrong shape (expected and found shapes named),
/// an unsupported dtype, a non-finite value. `config_out`, when given, receives the config read. With
/// MappedProjections the projection tensors stay in the mapped files (a non-finite value in one is reported when
/// the W8A8 transformer reads it).
Checkpoint load_hf_checkpoint(const std::filesystem::path& dir, HfModelConfig* config_out = nullptr,
                              WeightStorage storage = WeightStorage::Fp32);

}  // namespace saffire::models::llm
