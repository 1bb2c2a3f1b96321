#pragma once
// TimingModel: which accumulates of which PE miss the clock at a given supply voltage, and what the
// accumulator latches then. Data-dependent (FATE): an accumulate fails iff its longest sensitized
// carry chain is longer than the PE's max_safe_chain (arch/timing/carry_chain.hpp has the exact rule).
//
// Delay model (constants in arch/timing/README.md):
//   d(V)          = V / (V - Vth)^alpha                      alpha-power law
//   delay_scale   = d(V) / d(V_nominal)                       1 at nominal, > 1 when underscaled
//   t(L)          = (t_fixed + L * t_carry) * delay_scale * pe_factor(r, c)
//   t_fixed       = kFixedStages * t_carry,  t_fixed + 32 * t_carry = (1 - guard_band) * T_clk
//   pe_factor     = 1 + sigma * z(r, c),  z ~ N(0, 1) by Box-Muller from Philox4x32(chip_seed; r, c)
//   max_safe_chain(r, c) = the largest L in 0..32 with t(L) <= T_clk (0 also when even t(0) misses)
//
// Usage:
//   TimingModel tm(VoltageConfig{.v = 0.7}, 32, 32);
//   acc = tm.accumulate(r, c, acc, x * w);                  // one PE step, errors included
//   n_err = tm.count_errors(r, c, acc_span, addend_span);   // many steps of one PE, vectorized
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "arch/timing/carry_chain.hpp"
#include "arch/timing/voltage_config.hpp"

namespace saffire::arch {

/// Timing errors per end bit j (index 0..31) of the missed carry.
using ErrorBitHistogram = std::array<std::int64_t, 32>;

/// Unnormalized alpha-power-law gate delay V / (V - vth)^alpha (arbitrary units); requires v > vth.
double alpha_power_delay(double v, double vth, double alpha);

/// The standard normal draw z(r, c) of chip `chip_seed`: Box-Muller on the first two 32-bit words of
/// Philox4x32-10 with key = chip_seed and counter = (r, c, tag, 0). A pure function of its arguments.
double pe_standard_normal(std::uint64_t chip_seed, int r, int c);

class TimingModel {
 public:
  static constexpr int kWidth = 32;            // accumulator bits
  static constexpr double kFixedStages = 8.0;  // t_fixed in units of t_carry (see README)

  /// Validates `cfg` (ConfigError) and precomputes every PE's max_safe_chain; rows, cols in [1, 65536].
  TimingModel(const VoltageConfig& cfg, int rows, int cols);

  const VoltageConfig& config() const { return m_cfg; }
  int rows() const { return m_rows; }
  int cols() const { return m_cols; }

  /// d(V) / d(V_nominal).
  double delay_scale() const { return m_delay_scale; }
  /// 1 + sigma * z(r, c).
  double pe_factor(int r, int c) const { return m_pe_factor[index(r, c)]; }
  /// Longest carry chain (0..32) that PE (r, c) completes within the clock period at V.
  int max_safe_chain(int r, int c) const { return static_cast<int>(m_safe[index(r, c)]); }
  /// Smallest and largest max_safe_chain over the array.
  int min_safe_chain() const { return m_min_safe; }
  int max_safe_chain() const { return m_max_safe; }

  /// max_safe_chain of PEs (r, 0 .. cols-1), contiguous: for vectorized row passes.
  const std::uint32_t* safe_row(int r) const { return &m_safe[index(r, 0)]; }
  /// True when no accumulate of any PE can fail (every PE completes a full 32-bit carry chain).
  bool error_free() const { return m_min_safe >= kWidth; }

  /// Nominal-voltage, pe_factor = 1 delays of the adder parts, in ps.
  double t_carry_ps() const;
  double t_fixed_ps() const;
  /// Delay t(L) of a chain of length L on PE (r, c) at V, in ps.
  double path_delay_ps(int length, int r, int c) const;

  /// The value the accumulator of PE (r, c) latches for acc + addend (wrap-around INT32 with the
  /// timing-error rule). `error_bit` (optional) gets j of the missed carry, or -1.
  std::uint32_t accumulate(int r, int c, std::uint32_t acc, std::int32_t addend) const {
    return latched_sum<kWidth>(acc, static_cast<std::uint32_t>(addend), static_cast<int>(m_safe[index(r, c)]));
  }
  std::uint32_t accumulate(int r, int c, std::uint32_t acc, std::int32_t addend, int* error_bit) const {
    return latched_sum<kWidth>(acc, static_cast<std::uint32_t>(addend), static_cast<int>(m_safe[index(r, c)]),
                               error_bit);
  }
  /// true iff acc + addend on PE (r, c) latches a wrong value.
  bool fails(int r, int c, std::uint32_t acc, std::int32_t addend) const {
    return timing_error_flag<kWidth>(acc, static_cast<std::uint32_t>(addend), m_safe[index(r, c)]) != 0;
  }

  /// Batch checks (vectorized): the number of accumulates acc[i] + addend[i] that fail; `hist`
  /// (optional) additionally counts them by end bit j (it is added to, not cleared).
  ///   count_errors:     every pair on PE (r, c)          (the K steps of one PE)
  ///   count_errors_row: pair i on PE (r, c0 + i)         (one step of a PE row)
  ///   count_errors_col: pair i on PE (r0 + i, c)         (one step of a PE column)
  /// acc and addend have the same length; the row/column must stay inside the array.
  std::int64_t count_errors(int r, int c, std::span<const std::uint32_t> acc, std::span<const std::int32_t> addend,
                            ErrorBitHistogram* hist = nullptr) const;
  std::int64_t count_errors_row(int r, int c0, std::span<const std::uint32_t> acc, std::span<const std::int32_t> addend,
                                ErrorBitHistogram* hist = nullptr) const;
  std::int64_t count_errors_col(int c, int r0, std::span<const std::uint32_t> acc, std::span<const std::int32_t> addend,
                                ErrorBitHistogram* hist = nullptr) const;

 private:
  std::size_t index(int r, int c) const {
    return static_cast<std::size_t>(r) * static_cast<std::size_t>(m_cols) + static_cast<std::size_t>(c);
  }

  VoltageConfig m_cfg;
  int m_rows = 0, m_cols = 0;
  double m_delay_scale = 1.0;
  std::vector<double> m_pe_factor;      // (rows, cols) row-major
  std::vector<std::uint32_t> m_safe;    // (rows, cols) row-major, max_safe_chain
  std::vector<std::uint32_t> m_safe_t;  // (cols, rows) row-major: the transpose, for column batches
  int m_min_safe = 0, m_max_safe = 0;
};

}  // namespace saffire::arch
