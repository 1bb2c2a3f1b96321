#pragma once
// LanguageModel: a checkpoint with its tokenizer, found as model_files.hpp describes and checked to match.
#include <filesystem>
#include <string>

#include "models/llm/checkpoint.hpp"
#include "models/llm/tokenizer.hpp"

namespace saffire::models::llm {

struct LanguageModel {
  std::filesystem::path model_path;
  std::filesystem::path tokenizer_path;
  Checkpoint checkpoint;
  Tokenizer tokenizer;
};

/// Loads a checkpoint and a tokenizer: explicit paths when non-empty, else stories260K.bin and tok512.bin from
/// the model directory. The model is a llama2.c file or a Hugging Face folder (config.json and safetensors;
/// its tokenizer.json unless a tokenizer is given). A tokenizer path ending in .json is a tokenizer.json, else
/// a llama2.c tokenizer.bin. Throws ModelFileError (a ConfigError) when a file is missing or bad, or when the
/// tokenizer's vocabulary does not fit the model's (llama2.c: equal sizes; Hugging Face: the model's vocabulary
/// may be padded beyond the tokenizer's ids, the extra ids decode to nothing).
/// `storage` says whether the projections are converted to FP32 (needed for FP32 inference) or stay mapped
/// (enough for W8A8).
LanguageModel load_language_model(const std::string& model_path = {}, const std::string& tokenizer_path = {},
                                  WeightStorage storage = WeightStorage::Fp32);

}  // namespace saffire::models::llm
