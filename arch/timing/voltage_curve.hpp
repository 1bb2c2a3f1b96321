#pragma once
// The voltage curve of the timing model (`saffire voltage-curve`): per-accumulate timing-error
// probability of the PE accumulators vs supply voltage, measured on the operand statistics of real
// accumulations (random INT8 dot products of K = 4096 steps on every PE), with the bit histogram of
// the errors and how many accumulates have a carry chain longer than the PE's safe length.
#include <cstdint>
#include <vector>

#include "arch/timing/timing_model.hpp"
#include "arch/timing/voltage_config.hpp"

namespace saffire::arch {

inline constexpr std::int64_t kVoltageCurveReduction = 4096;  // K: steps of each dot product

struct VoltageCurveSpec {
  VoltageConfig base;           // everything but v (validated)
  std::vector<double> voltages;  // each > base.vth
  int rows = 32, cols = 32;     // PEs measured (the timing model's per-PE variation)
  int samples = 4;              // dot products per PE
  std::uint64_t seed = 1;       // operand data
  int threads = 0;              // OpenMP threads, 0 = all; the result does not depend on it
};

struct VoltageCurvePoint {
  double v = 0;
  double delay_scale = 1;
  int min_safe = 0, max_safe = 0;  // safe carry-chain lengths over the PEs
  std::int64_t errors = 0;         // latched values that are wrong
  std::int64_t late = 0;           // accumulates with some chain longer than the PE's safe length
  std::int64_t checked = 0;        // accumulates checked: rows * cols * samples * K
  ErrorBitHistogram hist{};        // errors per wrong bit
};

/// Measures every voltage on the same dot products (a pure function of (seed, r, c, sample)), so the
/// curve is monotone by construction of the model, and integer sums make it thread-count independent.
/// ConfigError naming the voltage when the model rejects one.
std::vector<VoltageCurvePoint> measure_voltage_curve(const VoltageCurveSpec& spec);

}  // namespace saffire::arch
