#pragma once
// Scratch files for trace tests, under the test's build directory (never the source tree).
#include <filesystem>
#include <string>

namespace saffire::traces::test {

// A fresh path <build>/tests/traces/scratch/<name>; any file left there by an earlier run is removed.
inline std::filesystem::path scratch_path(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(SAFFIRE_TEST_SCRATCH_DIR);
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / name;
  std::filesystem::remove(file);
  return file;
}

}  // namespace saffire::traces::test
