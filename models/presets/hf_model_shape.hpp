#pragma once
// The GEMM shapes of any Hugging Face model from its config.json alone (no weights): what
// `saffire topology --model-config` times. The config is read by the loader's read_hf_config
// (models/llm/hf_config.hpp, HfConfigUse::Shapes): the same keys, defaults and checks as loading the weights.
#include <filesystem>

#include "models/presets/model_presets.hpp"

namespace saffire::models {

/// Reads config.json (a regular file of at most 16 MB). The family comes from `model_type`, else from
/// `architectures[0]`'s prefix. Throws ConfigError naming the file and key: missing or non-integer dimensions,
/// values out of range, heads that do not divide the width, a head_dim other than width / heads, an unknown
/// family (the known ones listed). OPT's word_embed_proj_dim != hidden_size (opt-350m) adds project_in/out.
/// The shape's name is the file's `_name_or_path` when present, else its model_type.
ModelShape shape_from_hf_config(const std::filesystem::path& config_json);

}  // namespace saffire::models
