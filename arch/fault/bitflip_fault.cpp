#include "arch/fault/bitflip_fault.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::arch {

void BitflipConfig::validate() const {
  if (!(ber >= 0.0 && ber <= 1.0)) throw ConfigError("fault.ber: expected a probability in [0, 1], got " + std::to_string(ber));
  if (bit_lo < 0 || bit_hi > 31 || bit_lo > bit_hi)
    throw ConfigError("fault.bit: expected 0 <= bit_lo <= bit_hi <= 31, got [" + std::to_string(bit_lo) + ", " +
                      std::to_string(bit_hi) + "]");
}

std::vector<OutputFault> sample_output_faults(const BitflipConfig& cfg, std::uint64_t gemm_key, std::int64_t m,
                                              std::int64_t n) {
  std::vector<OutputFault> faults;
  const std::int64_t words = m * n;
  if (cfg.ber <= 0.0 || words <= 0) return faults;
  r123::Philox4x32 rng;
  const r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(cfg.seed) ^ static_cast<std::uint32_t>(gemm_key >> 32),
       static_cast<std::uint32_t>(cfg.seed >> 32) ^ static_cast<std::uint32_t>(gemm_key)}};
  const double log_keep = std::log1p(-std::min(cfg.ber, 1.0 - 1e-16));
  const int span = cfg.bit_hi - cfg.bit_lo + 1;
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
    faults.push_back({pos / n, pos % n, cfg.bit_lo + static_cast<int>(r.v[2] % static_cast<std::uint32_t>(span))});
  }
  return faults;
}

}  // namespace saffire::arch
