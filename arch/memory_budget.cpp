#include "arch/memory_budget.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::arch {
namespace {

std::atomic<std::int64_t> g_limit{0};  // 0: not set, use the default

std::int64_t default_limit() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::int64_t{4} << 30;  // unknown machine: 4 GiB
  return static_cast<std::int64_t>(pages) / 2 * static_cast<std::int64_t>(page);
}

}  // namespace

std::int64_t memory_limit() {
  const std::int64_t set = g_limit.load();
  return set > 0 ? set : default_limit();
}

void set_memory_limit(std::int64_t bytes) { g_limit.store(bytes); }

void check_memory(std::int64_t bytes, std::string_view what) {
  const std::int64_t limit = memory_limit();
  if (bytes > limit)
    throw ConfigError(std::string(what) + " would need " + format_bytes(bytes) + ", more than the memory limit of " +
                      format_bytes(limit) + " (--max-memory; default half of the physical memory)");
}

std::int64_t parse_byte_size(std::string_view text, std::string_view where) {
  const std::string s(text);
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string suffix = s.substr(used);
  for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double scale = 0;
  if (suffix.empty() || suffix == "b") scale = 1;
  else if (suffix == "k" || suffix == "kib") scale = 1024.0;
  else if (suffix == "m" || suffix == "mib") scale = 1024.0 * 1024;
  else if (suffix == "g" || suffix == "gib") scale = 1024.0 * 1024 * 1024;
  else if (suffix == "t" || suffix == "tib") scale = 1024.0 * 1024 * 1024 * 1024;
  const double bytes = value * scale;
  if (used == 0 || scale == 0 || !std::isfinite(bytes) || bytes < 1024.0 * 1024 || bytes > std::ldexp(1.0, 62))
    throw ConfigError(std::string(where) + ": expected a byte count from 1M to 4096T (e.g. 8G, 512M, 1.5GiB), got '" +
                      s + "'");
  return static_cast<std::int64_t>(bytes);
}

std::string format_bytes(std::int64_t bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 6) v /= 1024.0, ++u;
  char buf[48];
  if (u == 0) std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.2f %s", v, units[u]);
  return buf;
}

}  // namespace saffire::arch
