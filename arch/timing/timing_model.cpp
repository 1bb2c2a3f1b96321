#include "arch/timing/timing_model.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::arch {
namespace {

constexpr std::uint32_t kPeVariationTag = 0x7E11A7E5u;  // Philox stream of the per-PE delay factors
constexpr std::size_t kBlock = 512;                     // pairs per vectorized block

/// Flags of one block into `flags` (vectorized); returns their sum. kUniform: one safe length for all.
template <bool kUniform>
std::uint32_t flag_block(const std::uint32_t* acc, const std::int32_t* addend, const std::uint32_t* safe, std::size_t n,
                         std::uint32_t* flags) {
  std::uint32_t sum = 0;
  const std::uint32_t s0 = safe[0];
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t f =
        timing_error_flag<32>(acc[i], static_cast<std::uint32_t>(addend[i]), kUniform ? s0 : safe[i]);
    flags[i] = f;
    sum += f;
  }
  return sum;
}

template <bool kUniform>
std::int64_t count_kernel(const std::uint32_t* acc, const std::int32_t* addend, const std::uint32_t* safe,
                          std::size_t n, ErrorBitHistogram* hist) {
  std::int64_t total = 0;
  if (!hist) {
    // Pure reduction: no per-pair output at all.
    const std::uint32_t s0 = safe[0];
    for (std::size_t base = 0; base < n; base += kBlock) {
      const std::size_t m = std::min(kBlock, n - base);
      std::uint32_t sum = 0;
      for (std::size_t i = 0; i < m; ++i)
        sum += timing_error_flag<32>(acc[base + i], static_cast<std::uint32_t>(addend[base + i]),
                                     kUniform ? s0 : safe[base + i]);
      total += sum;
    }
    return total;
  }
  std::uint32_t flags[kBlock];
  for (std::size_t base = 0; base < n; base += kBlock) {
    const std::size_t m = std::min(kBlock, n - base);
    const std::uint32_t* sp = kUniform ? safe : safe + base;
    const std::uint32_t sum = flag_block<kUniform>(acc + base, addend + base, sp, m, flags);
    total += sum;
    if (sum == 0) continue;
    for (std::size_t i = 0; i < m; ++i) {  // rare: locate j of each error
      if (!flags[i]) continue;
      int j = -1;
      latched_sum<32>(acc[base + i], static_cast<std::uint32_t>(addend[base + i]),
                      static_cast<int>(kUniform ? sp[0] : sp[i]), &j);
      ++(*hist)[static_cast<std::size_t>(j)];
    }
  }
  return total;
}

void check_spans(std::span<const std::uint32_t> acc, std::span<const std::int32_t> addend) {
  if (acc.size() != addend.size()) throw std::invalid_argument("TimingModel: acc and addend differ in length");
}

}  // namespace

double alpha_power_delay(double v, double vth, double alpha) { return v / std::pow(v - vth, alpha); }

double pe_standard_normal(std::uint64_t chip_seed, int r, int c) {
  r123::Philox4x32 rng;
  const r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(chip_seed), static_cast<std::uint32_t>(chip_seed >> 32)}};
  const r123::Philox4x32::ctr_type ctr = {
      {static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(c), kPeVariationTag, 0u}};
  const r123::Philox4x32::ctr_type x = rng(ctr, key);
  const double u1 = (static_cast<double>(x.v[0]) + 1.0) * 0x1p-32;  // (0, 1]
  const double u2 = static_cast<double>(x.v[1]) * 0x1p-32;          // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

TimingModel::TimingModel(const VoltageConfig& cfg, int rows, int cols) : m_cfg(cfg), m_rows(rows), m_cols(cols) {
  m_cfg.validate();
  if (rows < 1 || rows > 65536 || cols < 1 || cols > 65536)
    throw ConfigError("TimingModel: rows and cols must be in [1, 65536], got " + std::to_string(rows) + " x " +
                      std::to_string(cols));
  m_delay_scale =
      alpha_power_delay(m_cfg.v, m_cfg.vth, m_cfg.alpha) / alpha_power_delay(m_cfg.v_nominal, m_cfg.vth, m_cfg.alpha);
  const std::size_t n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  m_pe_factor.resize(n);
  m_safe.resize(n);
  m_safe_t.resize(n);
  // In units of the clock period: t(L) / T = (1 - gb) * (kFixedStages + L) / (kFixedStages + 32) * scale.
  const double unit = (1.0 - m_cfg.guard_band) / (kFixedStages + kWidth);
  m_min_safe = kWidth;
  m_max_safe = 0;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double factor = 1.0 + m_cfg.sigma * pe_standard_normal(m_cfg.chip_seed, r, c);
      const double scale = m_delay_scale * factor;
      int safe = kWidth;
      // 1e-12 absorbs rounding so that the nominal sign-off point (t(32) = (1 - gb) T) counts as met.
      while (safe > 0 && unit * (kFixedStages + safe) * scale > 1.0 + 1e-12) --safe;
      m_pe_factor[index(r, c)] = factor;
      m_safe[index(r, c)] = static_cast<std::uint32_t>(safe);
      m_safe_t[static_cast<std::size_t>(c) * static_cast<std::size_t>(rows) + static_cast<std::size_t>(r)] =
          static_cast<std::uint32_t>(safe);
      m_min_safe = std::min(m_min_safe, safe);
      m_max_safe = std::max(m_max_safe, safe);
    }
  }
}

double TimingModel::t_carry_ps() const {
  return m_cfg.period_ps() * (1.0 - m_cfg.guard_band) / (kFixedStages + kWidth);
}

double TimingModel::t_fixed_ps() const { return kFixedStages * t_carry_ps(); }

double TimingModel::path_delay_ps(int length, int r, int c) const {
  return (t_fixed_ps() + length * t_carry_ps()) * m_delay_scale * pe_factor(r, c);
}

std::int64_t TimingModel::count_errors(int r, int c, std::span<const std::uint32_t> acc,
                                       std::span<const std::int32_t> addend, ErrorBitHistogram* hist) const {
  check_spans(acc, addend);
  if (r < 0 || r >= m_rows || c < 0 || c >= m_cols)
    throw std::out_of_range("TimingModel::count_errors: PE outside the array");
  if (acc.empty()) return 0;
  return count_kernel<true>(acc.data(), addend.data(), &m_safe[index(r, c)], acc.size(), hist);
}

std::int64_t TimingModel::count_errors_row(int r, int c0, std::span<const std::uint32_t> acc,
                                           std::span<const std::int32_t> addend, ErrorBitHistogram* hist) const {
  check_spans(acc, addend);
  if (r < 0 || r >= m_rows || c0 < 0 || static_cast<std::int64_t>(c0) + static_cast<std::int64_t>(acc.size()) > m_cols)
    throw std::out_of_range("TimingModel::count_errors_row: PEs outside the array");
  if (acc.empty()) return 0;
  return count_kernel<false>(acc.data(), addend.data(), &m_safe[index(r, c0)], acc.size(), hist);
}

std::int64_t TimingModel::count_errors_col(int c, int r0, std::span<const std::uint32_t> acc,
                                           std::span<const std::int32_t> addend, ErrorBitHistogram* hist) const {
  check_spans(acc, addend);
  if (c < 0 || c >= m_cols || r0 < 0 || static_cast<std::int64_t>(r0) + static_cast<std::int64_t>(acc.size()) > m_rows)
    throw std::out_of_range("TimingModel::count_errors_col: PEs outside the array");
  if (acc.empty()) return 0;
  const std::size_t t = static_cast<std::size_t>(c) * static_cast<std::size_t>(m_rows) + static_cast<std::size_t>(r0);
  return count_kernel<false>(acc.data(), addend.data(), &m_safe_t[t], acc.size(), hist);
}

}  // namespace saffire::arch
