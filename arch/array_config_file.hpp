#pragma once
// Reading ArrayConfig from the [arch] table of a TOML config file (example: experiments/configs/default.toml).
#include <filesystem>
#include <string>

#include "arch/array_config.hpp"

namespace saffire::arch {

/// Reads the [arch] table of `path`. Missing keys keep their defaults; unknown keys, wrong types and
/// out-of-range values throw ConfigError naming the file, line and key.
ArrayConfig load_array_config(const std::filesystem::path& path);

/// Same, from TOML text (`origin` names the source in error messages).
ArrayConfig parse_array_config(const std::string& toml_text, const std::string& origin);

/// The config as a TOML [arch] table (used to record the resolved config in traces).
std::string to_toml(const ArrayConfig& cfg);

}  // namespace saffire::arch
