#pragma once
// Speed of the DRAM timing model, for `saffire bench` (tests never time anything).
#include <string>
#include <vector>

namespace saffire::memory::dram {

struct DramBenchFigure {
  std::string preset;
  std::string pattern;          // "stream" (consecutive bursts) or "random" (hashed burst addresses)
  double requests_per_second;   // host speed: served requests per CPU second of the calling thread (the median
                                // over four stack depths a kilobyte apart)
  double slowest, fastest;      // ... the slowest and fastest of the four
  double simulated_gbps;        // the bandwidth the model achieved on that pattern
  double row_hit_rate;
};

/// Every preset on a streaming and a random read pattern (2^21 one-burst requests, all arriving at
/// cycle 0, refresh on), timed in the calling thread's CPU time, four times each at stack depths a kilobyte
/// apart (where the model's arrays sit relative to the stack moves the rate by up to 15 %). Target: >= 1e7
/// requests per second per core.
std::vector<DramBenchFigure> dram_bench();

}  // namespace saffire::memory::dram
