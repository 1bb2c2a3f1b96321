#pragma once
// What every saffire config reader shares: TOML parse errors as ConfigError ("file:line:column:
// description"), and reading a config file whole ("file: cannot open ..." when it cannot).
#include <filesystem>
#include <string>
#include <toml++/toml.h>

namespace saffire {

/// Parses TOML text; a syntax error throws ConfigError naming `origin`, line and column.
toml::table parse_toml(const std::string& text, const std::string& origin);

/// The whole file; throws ConfigError "<path>: cannot open <what>" when it cannot be read.
std::string read_text_file(const std::filesystem::path& path, const std::string& what);

}  // namespace saffire
