#pragma once
// The ReaLM-compatible `bitflip` fault model: each GEMM output word is faulty with independent
// probability BER; a faulty word gets one accumulator bit XOR-flipped (a fixed bit, or uniform in
// [bit_lo, bit_hi]). The flip lands in the accumulate of the output's last reduction step
// (k = K-1): in OS the PE's output accumulator, in WS the partial sum of the last fold as it passes
// PE((K-1) % R, n % C), before it is added to the earlier folds' partial sums.
//
// Sampling is counter-based (Philox keyed by the campaign seed and the GEMM's key): the i-th fault
// of a GEMM depends only on (seed, gemm_key, i), and fault positions are drawn by geometric skips,
// so the cost is O(faults), not one draw per word, and every engine sees the same faults.
#include <cstdint>
#include <vector>

#include "arch/fault_site.hpp"

namespace saffire::faults {

struct BitflipConfig {
  double ber = 0;      // per-output-word fault probability in [0, 1]
  int bit_lo = 30;     // flipped bit: uniform in [bit_lo, bit_hi]; a fixed bit when equal
  int bit_hi = 30;
  std::uint64_t seed = 1;
  /// Optional (the `table` model): 32 non-negative weights; a faulty word's bit is j with probability
  /// bit_weights[j] / sum (instead of uniform in [bit_lo, bit_hi]). Empty: uniform.
  std::vector<double> bit_weights;
  /// Throws ConfigError naming the field.
  void validate() const;
};

/// The faulty output words of one (M x N) GEMM, in row-major order.
std::vector<arch::OutputFault> sample_output_faults(const BitflipConfig& cfg, std::uint64_t gemm_key, std::int64_t m,
                                              std::int64_t n);

}  // namespace saffire::faults
