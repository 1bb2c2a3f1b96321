#pragma once
// What the DRAM model is asked (one burst read or written at an arrival cycle) and what it reports.
// Cycles are DRAM command-clock cycles (DramSpec::clock_mhz) counted from 0.
#include <cstdint>

namespace saffire::memory::dram {

using Cycle = std::int64_t;

enum class Access : std::uint8_t { Read, Write };

/// One access of DramSpec::burst_bytes() bytes at `address` (any byte of the burst), issued at `arrival`.
struct DramRequest {
  std::uint64_t address = 0;
  Access access = Access::Read;
  Cycle arrival = 0;
};

/// Totals over the requests served. Row outcomes count each request once, by what its bank needed when
/// the request was served: nothing (hit), an ACT (miss: the bank was closed) or a PRE and an ACT (conflict).
struct DramStats {
  std::uint64_t reads = 0, writes = 0;
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::uint64_t refreshes = 0;       // REF (all-bank) or REFpb (per-bank) commands
  std::uint64_t latency_sum = 0;     // sum over requests of completion - arrival, cycles
  Cycle first_arrival = 0;           // earliest arrival (0 when nothing was served)
  Cycle last_completion = 0;         // cycle the last data beat ends

  std::uint64_t requests() const { return reads + writes; }
  /// last_completion - first_arrival: the span the bandwidth is measured over.
  Cycle cycles() const { return last_completion - first_arrival; }
  double bytes_per_cycle() const {
    return cycles() > 0 ? static_cast<double>(bytes_read + bytes_written) / static_cast<double>(cycles()) : 0.0;
  }
  /// Achieved bandwidth in GB/s (1e9 bytes per second) at the given command clock.
  double gbps(int clock_mhz) const { return bytes_per_cycle() * clock_mhz * 1e6 / 1e9; }
  double average_latency() const {
    return requests() > 0 ? static_cast<double>(latency_sum) / static_cast<double>(requests()) : 0.0;
  }
  double row_hit_rate() const {
    return requests() > 0 ? static_cast<double>(row_hits) / static_cast<double>(requests()) : 0.0;
  }
  /// Adds `o` (another channel's totals) into this.
  void merge(const DramStats& o);
};

}  // namespace saffire::memory::dram
