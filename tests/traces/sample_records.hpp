#pragma once
// Deterministic trace content shared by the C++ tests and write_sample_trace (whose output the
// Python reader test checks), so both sides test the same values.
#include <cstdint>
#include <string>
#include <vector>

#include "traces/trace_records.hpp"

namespace saffire::traces::test {

inline RunInfo sample_run_info() {
  RunInfo info;
  info.command = "topology";
  info.config_toml = "[arch]\nrows = 32\ncols = 32\ndataflow = \"ws\"\n\n[model]\ntopology = \"resnet18.csv\"\n";
  info.seed = 18446744073709551615ULL;  // uint64 max: must not pass through a signed type
  info.saffire_version = "0.1.0";
  info.created_utc = "2024-01-02T03:04:05Z";
  return info;
}

// A consistent GEMM row: macs = m*n*k, utilization = macs / (cycles * R * C).
inline GemmRecord sample_gemm(std::string name, std::int64_t m, std::int64_t n, std::int64_t k, const char* dataflow,
                              std::int32_t rows, std::int32_t cols, std::int64_t cycles, double mapping_efficiency,
                              const char* fidelity, double host_seconds) {
  GemmRecord r;
  r.name = std::move(name);
  r.m = m;
  r.n = n;
  r.k = k;
  r.dataflow = dataflow;
  r.rows = rows;
  r.cols = cols;
  r.cycles = cycles;
  r.macs = m * n * k;
  r.utilization = static_cast<double>(r.macs) / (static_cast<double>(cycles) * rows * cols);
  r.mapping_efficiency = mapping_efficiency;
  r.fidelity = fidelity;
  r.host_seconds = host_seconds;
  return r;
}

// `count` rows with varied shapes; every 7th name is long (150 characters).
inline std::vector<GemmRecord> sample_gemms(int count) {
  std::vector<GemmRecord> out;
  for (int i = 0; i < count; ++i) {
    const std::int64_t m = 1 + 37 * i, n = 64 + i, k = 3 * (i + 1);
    // Built with append: GCC 12 gives a false -Wrestrict on `"literal" + std::string` (GCC bug 105651).
    std::string name = std::string("layer").append(std::to_string(i)).append(".conv");
    if (i % 7 == 0) {
      name.append(".").append(150 - name.size() - 1, 'x');
    }
    const bool ws = i % 2 == 0;
    const std::int64_t cycles = m * n * k / (32 * 16) + 100 + 13 * i;  // > macs / (R*C): utilization < 1
    out.push_back(sample_gemm(std::move(name), m, n, k, ws ? "ws" : "os", 32, 16, cycles, 0.5 + 0.001 * i,
                              i % 3 == 0 ? "pe" : "fold", 1e-3 * i + 1e-9));
  }
  return out;
}

}  // namespace saffire::traces::test
