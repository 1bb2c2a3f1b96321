#include "models/llm/model_files.hpp"

#include <cstdlib>
#include <fstream>
#include <vector>

namespace saffire::models::llm {

namespace fs = std::filesystem;

ModelFileError::ModelFileError(const fs::path& file, const std::string& problem)
    : saffire::ConfigError(file.string() + ": " + problem), m_file(file) {}

namespace {

std::vector<fs::path> candidate_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("SAFFIRE_MODELS"); env != nullptr && *env != '\0') {
    dirs.emplace_back(env);
    return dirs;  // an explicit environment setting is not second-guessed
  }
#ifdef SAFFIRE_DEFAULT_MODELS_DIR
  dirs.emplace_back(SAFFIRE_DEFAULT_MODELS_DIR);
#endif
  dirs.emplace_back(fs::path("..") / "shared" / "models");
  return dirs;
}

std::string describe(const std::vector<fs::path>& dirs) {
  std::string out;
  for (const auto& d : dirs) {
    if (!out.empty()) out += ", ";
    out += d.string();
  }
  return out;
}

}  // namespace

fs::path default_models_dir() {
  for (const auto& dir : candidate_dirs()) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return dir;
  }
  return {};
}

fs::path resolve_model_file(std::string_view file_name, const std::string& explicit_path) {
  if (!explicit_path.empty()) {
    const fs::path p(explicit_path);
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) throw ModelFileError(p, "file not found");
    return p;
  }
  const auto dirs = candidate_dirs();
  for (const auto& dir : dirs) {
    const fs::path p = (dir / fs::path(file_name)).lexically_normal();
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p;
  }
  throw ModelFileError(fs::path(file_name), "not found in the model directories tried (" + describe(dirs) +
                                                "); give an explicit path or set SAFFIRE_MODELS");
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileError(path, "cannot open file");
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw ModelFileError(path, "cannot determine file size: " + ec.message());
  std::string data(static_cast<std::size_t>(size), '\0');
  if (!in.read(data.data(), static_cast<std::streamsize>(size))) throw ModelFileError(path, "read failed");
  return data;
}

}  // namespace saffire::models::llm
