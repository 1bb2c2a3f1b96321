#include "sim/memory/dram/dram_bench.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/dram/dram_system.hpp"

namespace saffire::memory::dram {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser: a counter-based hash, the same everywhere
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double thread_seconds() {  // CPU time of the calling thread: per-core speed, whatever else the machine runs
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

[[gnu::noinline]] DramBenchFigure measure(const DramSpec& spec, bool random) {
  constexpr std::uint64_t kRequests = std::uint64_t{1} << 21;
  const auto burst = static_cast<std::uint64_t>(spec.burst_bytes());
  const std::uint64_t bursts = spec.capacity_bytes() / burst;
  DramOptions options;
  options.record_completions = false;
  DramSystem dram(spec, options);
  const double t0 = thread_seconds();
  for (std::uint64_t i = 0; i < kRequests; ++i) {
    const std::uint64_t b = random ? mix(i) % bursts : i % bursts;
    dram.enqueue({b * burst, Access::Read, 0});
  }
  dram.drain();
  const double seconds = thread_seconds() - t0;
  const DramStats s = dram.stats();
  const double rate = static_cast<double>(kRequests) / seconds;
  return {spec.name, random ? "random" : "stream", rate, rate, rate, s.gbps(spec.clock_mhz), s.row_hit_rate()};
}

// The same measurement KiB kilobytes further down the stack. Where the model's arrays sit relative to the
// stack (4 KB aliasing between the scan's loads and the calls' stack stores) moves the rate by up to 15 %,
// so a figure taken at one stack depth says as much about the caller as about the model.
template <int KiB>
[[gnu::noinline]] DramBenchFigure measure_below(const DramSpec& spec, bool random) {
  std::array<char, KiB * 1024 + 64> pad{};
  asm volatile("" : : "r"(pad.data()) : "memory");  // the frame stays, though nothing reads it
  return measure(spec, random);
}

// The median (and the range) over four stack depths a kilobyte apart.
DramBenchFigure measure_over_depths(const DramSpec& spec, bool random) {
  std::array<DramBenchFigure, 4> f{measure_below<0>(spec, random), measure_below<1>(spec, random),
                                   measure_below<2>(spec, random), measure_below<3>(spec, random)};
  std::sort(f.begin(), f.end(), [](const DramBenchFigure& a, const DramBenchFigure& b) {
    return a.requests_per_second < b.requests_per_second;
  });
  DramBenchFigure out = f[1];
  out.requests_per_second = (f[1].requests_per_second + f[2].requests_per_second) / 2;
  out.slowest = f[0].requests_per_second;
  out.fastest = f[3].requests_per_second;
  return out;
}

}  // namespace

std::vector<DramBenchFigure> dram_bench() {
  std::vector<DramBenchFigure> out;
  for (const std::string& name : dram_preset_names()) {
    const DramSpec spec = dram_preset(name);
    out.push_back(measure_over_depths(spec, false));
    out.push_back(measure_over_depths(spec, true));
  }
  return out;
}

}  // namespace saffire::memory::dram
