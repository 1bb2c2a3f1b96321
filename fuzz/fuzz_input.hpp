#pragma once
// What every fuzz target shares: the input as text or as a file (for readers that take a path), the one rule
// ("bad input is a saffire::ConfigError; anything else escapes and libFuzzer reports it as a crash") and the
// resource limits a reader must respect.
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "arch/config_error.hpp"
#include "arch/memory_budget.hpp"

namespace saffire::fuzz {

inline std::string as_text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// A private directory of this process, removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    // In memory when the machine has /dev/shm: a file-backed input is rewritten for every execution.
    std::error_code ec;
    const std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm", ec) ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path();
    // libFuzzer ends a timed run with _Exit (no atexit): remove the directories of runs that are gone.
    for (const auto& e : std::filesystem::directory_iterator(base, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("saffire_fuzz_", 0) != 0) continue;
      const long pid = std::strtol(name.c_str() + 13, nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) std::filesystem::remove_all(e.path(), ec);
    }
    const std::filesystem::path d = base / ("saffire_fuzz_" + std::to_string(static_cast<long>(::getpid())));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return d;
  }();
  return dir;
}

/// The input written to scratch_dir()/name (rewritten for every input).
inline std::filesystem::path as_file(const std::uint8_t* data, std::size_t size, std::string_view name) {
  const std::filesystem::path p = scratch_dir() / std::string(name);
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                             static_cast<std::streamsize>(size));
  return p;
}

/// The limits a run of saffire would have, small enough for a fuzzer: a 256 MiB memory budget
/// (--max-memory), trial reads of hostile traces given 2 s instead of 5.
inline void set_limits() {
  static const bool done = [] {
    arch::set_memory_limit(std::int64_t{256} << 20);
    ::setenv("SAFFIRE_TRACE_READ_TIMEOUT", "2", 1);
    return true;
  }();
  (void)done;
}

/// Runs one read of hostile input: it may succeed or throw ConfigError (the CLI's exit 2); any other
/// exception is not caught, so libFuzzer reports it (the CLI would have exited 1 or crashed).
template <typename F>
void expect_clean(F&& read) {
  try {
    read();
  } catch (const saffire::ConfigError&) {
  }
}

}  // namespace saffire::fuzz
