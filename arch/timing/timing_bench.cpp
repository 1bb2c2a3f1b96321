#include "arch/timing/timing_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "arch/timing/dot_product_steps.hpp"
#include "arch/timing/timing_model.hpp"

namespace saffire::arch {
namespace {

constexpr int kDim = 8;           // an 8 x 8 corner of the array: 64 PEs
constexpr std::size_t kK = 4096;  // steps per PE

struct Workload {
  TimingModel model{VoltageConfig{.v = 0.70}, kDim, kDim};
  std::vector<std::uint32_t> acc = std::vector<std::uint32_t>(kDim * kDim * kK);
  std::vector<std::int32_t> addend = std::vector<std::int32_t>(kDim * kDim * kK);
  Workload() {
    for (int pe = 0; pe < kDim * kDim; ++pe)
      random_dot_product_steps(7, static_cast<std::uint32_t>(pe / kDim), static_cast<std::uint32_t>(pe % kDim), 0,
                               std::span(acc).subspan(pe * kK, kK), std::span(addend).subspan(pe * kK, kK));
  }
};

template <class Pass>
double best_rate(Pass&& pass) {
  using clock = std::chrono::steady_clock;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    std::int64_t checks = 0;
    const auto t0 = clock::now();
    double seconds = 0;
    do {
      checks += pass();
      seconds = std::chrono::duration<double>(clock::now() - t0).count();
    } while (seconds < 0.1);
    best = std::max(best, static_cast<double>(checks) / seconds);
  }
  return best;
}

volatile std::int64_t g_sink;  // keeps the benchmarked results alive

}  // namespace

double timing_checks_per_second() {
  const Workload w;
  return best_rate([&] {
    ErrorBitHistogram hist{};
    std::int64_t errors = 0;
    for (int pe = 0; pe < kDim * kDim; ++pe)
      errors += w.model.count_errors(pe / kDim, pe % kDim, std::span(w.acc).subspan(pe * kK, kK),
                                     std::span(w.addend).subspan(pe * kK, kK), &hist);
    g_sink = errors + hist[31];
    return static_cast<std::int64_t>(w.acc.size());
  });
}

double timing_accumulates_per_second() {
  const Workload w;
  return best_rate([&] {
    std::uint32_t x = 0;
    for (int pe = 0; pe < kDim * kDim; ++pe)
      for (std::size_t i = 0; i < kK; ++i)
        x ^= w.model.accumulate(pe / kDim, pe % kDim, w.acc[pe * kK + i], w.addend[pe * kK + i]);
    g_sink = x;
    return static_cast<std::int64_t>(w.acc.size());
  });
}

}  // namespace saffire::arch
