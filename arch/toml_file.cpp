#include "arch/toml_file.hpp"

#include <algorithm>
#include <fstream>
#include <string_view>
#include <sstream>

#include "arch/config_error.hpp"

namespace saffire {

toml::table parse_toml(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw ConfigError(msg.str());
  }
}

void check_config_tables(const toml::table& doc, const std::string& origin) {
  static constexpr std::string_view kTables[] = {"arch", "voltage", "tech", "abft", "memory"};
  for (const auto& [key, node] : doc) {
    const std::string name(key.str());
    const std::string at = origin + ":" + std::to_string(node.source().begin.line) + ": ";
    if (std::find(std::begin(kTables), std::end(kTables), name) != std::end(kTables))
      continue;  // its reader checks that it is a table
    if (!node.is_table())
      throw ConfigError(at + "'" + name + "' is outside any table (expected it inside [arch], [voltage], [tech], [abft] or [memory])");
    throw ConfigError(at + "unknown table [" + name + "] (a config file holds [arch], [voltage], [tech], [abft] and [memory])");
  }
}

std::string read_text_file(const std::filesystem::path& path, const std::string& what, std::int64_t max_bytes) {
  // Checked before opening: opening a FIFO blocks until a writer comes, and a directory or device
  // would read as empty or endless.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw ConfigError(path.string() + ": cannot open " + what + ": no such file");
  if (!std::filesystem::is_regular_file(status))
    throw ConfigError(path.string() + ": " + what + " is not a regular file (" +
                      (std::filesystem::is_directory(status) ? "a directory" : "a FIFO, socket or device") + ")");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw ConfigError(path.string() + ": cannot open " + what + ": " + ec.message());
  if (size > static_cast<std::uintmax_t>(max_bytes))
    throw ConfigError(path.string() + ": " + what + " is " + std::to_string(size) + " bytes, more than the " +
                      std::to_string(max_bytes) + " a " + what + " may have");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string() + ": cannot open " + what);
  std::string text(static_cast<std::size_t>(size), '\0');
  // Read at most the size seen (a file growing meanwhile is cut there, never read without end).
  in.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace saffire
