#pragma once
// What every saffire config reader shares: TOML parse errors as ConfigError ("file:line:column:
// description"), and reading a config, CSV or table file whole (regular files only, size-capped).
#include <cstdint>
#include <filesystem>
#include <string>
#include <toml++/toml.h>

namespace saffire {

/// Parses TOML text; a syntax error throws ConfigError naming `origin`, line and column.
toml::table parse_toml(const std::string& text, const std::string& origin);

/// The tables a config file may hold: [arch], [voltage], [tech], [abft] (each reader takes its own).
/// ConfigError "origin:line: ..." for any other top-level table or a key outside a table.
void check_config_tables(const toml::table& doc, const std::string& origin);

/// Largest config, CSV or table file read (hand-written files are kilobytes).
inline constexpr std::int64_t kMaxTextFileBytes = std::int64_t{64} << 20;

/// The whole file; ConfigError naming the path when it is missing, not a regular file (a directory,
/// FIFO or device is rejected without opening it) or larger than max_bytes.
std::string read_text_file(const std::filesystem::path& path, const std::string& what,
                           std::int64_t max_bytes = kMaxTextFileBytes);

}  // namespace saffire
