#include "arch/toml_file.hpp"

#include <fstream>
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
