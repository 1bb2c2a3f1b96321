#pragma once
// Floating-point ABFT trials (`saffire fp-abft`): on random GEMMs of one PE design and array order,
//  - false alarms: fault-free row checks (abft/fp_checksum.hpp) that fire at each tolerance c, and GEMMs
//    the classic and statistical decisions (abft/fp_detection.hpp) would recompute without a fault;
//  - misses: single accumulator bit flips (sim/faults/numeric_output_faults.hpp) at random sites, for every
//    bit of the accumulator word, that the decisions accept; a flip is "harmful" when it moves its output
//    by more than the rounding bound of that output (gamma_n sum_k |x_k w_k|, the worst case, or with
//    abft.fp_bound = "probabilistic" Higham & Mary's gamma~_n(lambda), the bound the checks use as well);
//  - which bits matter: each bit's median and largest deviation |y' - y| / sum_k |x_k w_k|.
// Operands are random_numeric_operands (|v| in [1/16, 4)) seeded per GEMM, sites from Philox4x32-10 keyed
// by the seed with counter (gemm, bit, flip): results are a pure function of the spec.
#include <cstdint>
#include <vector>

#include "abft/abft_config.hpp"
#include "arch/gemm_shape.hpp"
#include "arch/numerics/pe_numerics.hpp"
#include "models/engine/gemm_id.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "sim/faults/numeric_fault_deviation.hpp"

namespace saffire::abft {

struct FpTrialSpec {
  arch::PeNumerics numerics;
  models::AccumulationOrder order;
  std::int64_t tile_cols = 32;          // C: the row checks' column tiles
  arch::GemmShape shape{64, 64, 256};
  int gemms = 10;
  int flips_per_bit = 4;                // per GEMM and bit
  std::uint64_t seed = 1;
  std::vector<double> tolerances{1.0};  // c, each > 0
  models::Component component = models::Component::Q;  // whose statistical constants decide
  AbftConfig abft;                      // statistical constants, fp_bound, fp_lambda (scheme and fp_tolerance are set per row)
  /// ConfigError naming the field (shape, tolerances, counts, a floating-point accumulator).
  void validate() const;
};

struct FpToleranceRow {
  double c = 0;
  std::int64_t checks = 0, false_alarm_checks = 0;  // fault-free row checks, those that fire
  std::int64_t gemms = 0;
  std::int64_t false_alarm_gemms_classic = 0, false_alarm_gemms_statistical = 0;
  std::int64_t flips = 0, harmful = 0;              // single flips; of them, beyond the output's bound
  std::int64_t missed_classic = 0, missed_statistical = 0;
  std::int64_t harmful_missed_classic = 0, harmful_missed_statistical = 0;
};

struct FpBitRow {
  int bit = 0;
  faults::FloatField field = faults::FloatField::Mantissa;
  std::int64_t flips = 0, harmful = 0, nonfinite = 0;
  double median_relative = 0, max_relative = 0;
  std::vector<std::int64_t> detected_classic;      // per tolerance, in spec order
  std::vector<std::int64_t> detected_statistical;
};

struct FpTrialResult {
  std::vector<FpToleranceRow> by_tolerance;
  std::vector<FpBitRow> by_bit;
  double worst_fault_free_ratio = 0;  // max |d| / (tau + check error) over the fault-free checks
  std::int64_t rounding_steps = 0;    // n of the bound
};

FpTrialResult run_fp_abft_trials(const FpTrialSpec& spec);

}  // namespace saffire::abft
