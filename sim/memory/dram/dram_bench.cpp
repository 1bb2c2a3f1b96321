#include "sim/memory/dram/dram_bench.hpp"

#include <time.h>

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

DramBenchFigure measure(const DramSpec& spec, bool random) {
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
  return {spec.name, random ? "random" : "stream", static_cast<double>(kRequests) / seconds, s.gbps(spec.clock_mhz),
          s.row_hit_rate()};
}

}  // namespace

std::vector<DramBenchFigure> dram_bench() {
  std::vector<DramBenchFigure> out;
  for (const std::string& name : dram_preset_names()) {
    const DramSpec spec = dram_preset(name);
    out.push_back(measure(spec, false));
    out.push_back(measure(spec, true));
  }
  return out;
}

}  // namespace saffire::memory::dram
