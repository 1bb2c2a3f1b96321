#pragma once
// Plain records stored in a trace file; see traces/SCHEMA.md for types and units.
#include <cstdint>
#include <string>

namespace saffire::traces {

// Describes the whole run; stored as attributes of the root group "/".
struct RunInfo {
  std::string command;          // subcommand that produced the file, e.g. "topology" or "gemm"
  std::string config_toml;      // the full resolved config as TOML text (any size)
  std::uint64_t seed = 0;       // RNG seed of the run
  std::string saffire_version;  // e.g. "0.1.0"
  std::string created_utc;      // ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z"; TraceWriter fills it if empty

  bool operator==(const RunInfo&) const = default;
};

// One simulated GEMM C(m,n) = A(m,k) * B(k,n); one row of the dataset "/gemms".
struct GemmRecord {
  std::string name;                  // layer or GEMM name, any length
  std::int64_t m = 0, n = 0, k = 0;  // GEMM shape
  std::string dataflow;              // "ws" or "os"
  std::int32_t rows = 0, cols = 0;   // array size R x C (PEs)
  std::int64_t cycles = 0;           // SCALE-Sim convention: 0-based index of the last output cycle
  std::int64_t macs = 0;             // useful multiply-accumulates, m * n * k
  double utilization = 0;            // macs / (cycles * R * C), fraction
  double mapping_efficiency = 0;     // mean fraction of PEs with real work per fold
  std::string fidelity;              // "pe" (cycle/PE-level) or "fold" (fold-level model)
  double host_seconds = 0;           // wall-clock seconds the simulation took on the host

  bool operator==(const GemmRecord&) const = default;
};

}  // namespace saffire::traces
