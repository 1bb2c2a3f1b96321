#include "sim/faults/bitflip_fault.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::faults {

void BitflipConfig::validate() const {
  if (!(ber >= 0.0 && ber <= 1.0)) throw ConfigError("fault.ber: expected a probability in [0, 1], got " + std::to_string(ber));
  if (bit_lo < 0 || bit_hi > 31 || bit_lo > bit_hi)
    throw ConfigError("fault.bit: expected 0 <= bit_lo <= bit_hi <= 31, got [" + std::to_string(bit_lo) + ", " +
                      std::to_string(bit_hi) + "]");
  if (!bit_weights.empty()) {
    if (bit_weights.size() != 32) throw ConfigError("fault.bit_weights: expected 32 weights, got " + std::to_string(bit_weights.size()));
    double sum = 0;
    for (double x : bit_weights) {
      if (!(x >= 0.0 && std::isfinite(x))) throw ConfigError("fault.bit_weights: expected non-negative weights");
      sum += x;
    }
    if (ber > 0 && !(sum > 0)) throw ConfigError("fault.bit_weights: all zero, but ber > 0");
  }
}

std::vector<arch::OutputFault> sample_output_faults(const BitflipConfig& cfg, std::uint64_t gemm_key, std::int64_t m,
                                              std::int64_t n) {
  std::vector<arch::OutputFault> faults;
  const std::int64_t words = m * n;
  if (cfg.ber <= 0.0 || words <= 0) return faults;
  r123::Philox4x32 rng;
  const r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(cfg.seed) ^ static_cast<std::uint32_t>(gemm_key >> 32),
       static_cast<std::uint32_t>(cfg.seed >> 32) ^ static_cast<std::uint32_t>(gemm_key)}};
  const double log_keep = std::log1p(-std::min(cfg.ber, 1.0 - 1e-16));
  const int span = cfg.bit_hi - cfg.bit_lo + 1;
  // Table model: cumulative bit weights, searched with a second 53-bit uniform of the same draw.
  std::vector<double> cumulative;
  for (double x : cfg.bit_weights) cumulative.push_back((cumulative.empty() ? 0.0 : cumulative.back()) + x);
  const auto pick_bit = [&](const r123::Philox4x32::ctr_type& r) {
    if (cumulative.empty()) return cfg.bit_lo + static_cast<int>(r.v[2] % static_cast<std::uint32_t>(span));
    const double u2 = (static_cast<double>(r.v[2] >> 5) * 67108864.0 + static_cast<double>(r.v[3] >> 6)) /
                      9007199254740992.0 * cumulative.back();  // [0, sum)
    int j = 0;
    while (j < 31 && cumulative[static_cast<std::size_t>(j)] <= u2) ++j;
    return j;
  };
  std::int64_t pos = -1;
  for (std::uint64_t i = 0;; ++i) {
    // Draw i: a geometric gap to the next faulty word, and that word's bit.
    const r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32), 0xB17F, 0}};
    const r123::Philox4x32::ctr_type r = rng(ctr, key);
    const double u = (static_cast<double>(r.v[0] >> 5) * 67108864.0 + static_cast<double>(r.v[1] >> 6) + 1.0) /
                     9007199254740993.0;  // 53-bit uniform in (0, 1]
    const double gap = cfg.ber >= 1.0 ? 0.0 : std::floor(std::log(u) / log_keep);
    if (gap >= static_cast<double>(words - pos - 1)) break;  // next fault would fall past the last word
    pos += 1 + static_cast<std::int64_t>(gap);
    faults.push_back({pos / n, pos % n, pick_bit(r)});
  }
  return faults;
}

}  // namespace saffire::faults
