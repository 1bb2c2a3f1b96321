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

std::string read_text_file(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string() + ": cannot open " + what);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace saffire
