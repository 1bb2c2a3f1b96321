#pragma once
// The GEMM shapes of any Hugging Face model from its config.json alone (no weights): what
// `saffire topology --model-config` times. Only the dimensions are read, per model_type's key names.
#include <filesystem>

#include "models/presets/model_presets.hpp"

namespace saffire::models {

/// Families whose config.json keys are known, named for error messages.
inline constexpr char kHfShapeFamilies[] =
    "llama, mistral, qwen2 (gated MLP, grouped-query attention), opt, gpt2 (non-gated MLP)";

/// Reads config.json (a regular file of at most a few MB). The family comes from `model_type`, else from
/// `architectures[0]`. Throws ConfigError naming the file and key: missing or non-integer dimensions,
/// values out of range, heads that do not divide the width, an unknown family (the known ones listed).
/// The shape's name is the file's `_name_or_path` when present, else its model_type.
ModelShape shape_from_hf_config(const std::filesystem::path& config_json);

}  // namespace saffire::models
