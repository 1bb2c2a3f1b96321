#include "models/gemm/gemm_bench.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <stdexcept>
#include <vector>

namespace saffire::models {

double measure_int8_gemm_gmacs(const Int8GemmKernel& kernel, std::int64_t m, std::int64_t n, std::int64_t k,
                               int threads, double min_seconds) {
  if (m <= 0 || n <= 0 || k <= 0) {
    throw std::invalid_argument("measure_int8_gemm_gmacs: sizes must be positive");
  }
  std::vector<std::int8_t> x(static_cast<std::size_t>(m * k)), w(static_cast<std::size_t>(k * n));
  std::vector<std::int32_t> y(static_cast<std::size_t>(m * n));
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int> dist(-128, 127);
  for (auto& v : x) {
    v = static_cast<std::int8_t>(dist(rng));
  }
  for (auto& v : w) {
    v = static_cast<std::int8_t>(dist(rng));
  }
  const Int8GemmArgs args{m, n, k, x.data(), k, w.data(), n, y.data(), n, false};

  using clock = std::chrono::steady_clock;
  kernel.run(args, threads);  // warm-up: page faults, packing buffers, thread pool
  double best = 0.0, elapsed = 0.0;
  do {
    const auto t0 = clock::now();
    kernel.run(args, threads);
    const double s = std::chrono::duration<double>(clock::now() - t0).count();
    elapsed += s;
    best = std::max(
        best, static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) / std::max(s, 1e-9) * 1e-9);
  } while (elapsed < min_seconds);
  return best;
}

}  // namespace saffire::models
