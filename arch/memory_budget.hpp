#pragma once
// The run's memory budget: what a command may allocate for its large buffers (GEMM operands and
// outputs, model weights, KV cache, sweep point lists), estimated before allocating. `--max-memory`
// sets it; the default is half of the physical memory, so a hostile size fails with a message instead
// of swapping or being killed.
#include <cstdint>
#include <string>
#include <string_view>

namespace saffire::arch {

/// The limit in bytes: set_memory_limit's, else half of the physical memory.
std::int64_t memory_limit();
void set_memory_limit(std::int64_t bytes);

/// ConfigError "<what> would need <bytes>, more than the memory limit <limit> (--max-memory)" when
/// bytes > memory_limit().
void check_memory(std::int64_t bytes, std::string_view what);

/// A byte count as users write it: "4G", "512M", "64k", "1.5GiB", "1e9" (suffixes are powers of 1024);
/// ConfigError naming `where` unless it is a finite count in [1 MiB, 2^62].
std::int64_t parse_byte_size(std::string_view text, std::string_view where);

/// "1.50 GiB", "512.00 MiB", "100 B".
std::string format_bytes(std::int64_t bytes);

}  // namespace saffire::arch
