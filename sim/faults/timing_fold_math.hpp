#pragma once
// Fold math with the PE accumulators' timing errors (arch/timing): every accumulate of every PE is
// checked against the TimingModel in the order the dataflow performs it, so outputs and errors equal
// the PE-level model's cycle-by-cycle result. Used by the fold-level model and, for the `timing`
// fault model, by the engines that do not simulate the array (cpu, cuda).
//   WS fold (reduction rows k0.., columns n0..): for each streamed row m, the partial sum of PE
//       column c starts at PE (0, c) and passes PEs (1, c) .. (rows_used-1, c); PE (r, c) adds
//       x[m][k0+r] * w[k0+r][n0+c]. The output buffer adds the fold's partial sum to y exactly
//       (it sits outside the PE array).
//   OS fold (output rows m0.., columns n0..): PE (r, c) accumulates x[m0+r][k] * w[k][n0+c] for
//       k = 0 .. K-1, from 0; the finished accumulator is written to y (added with args.accumulate).
// Each accumulate fails at most once (the rule of arch/timing/carry_chain.hpp), so the output word is
// the exact one minus the sum of 2^j over its errors (mod 2^32).
#include <cstdint>
#include <vector>

#include "arch/array_config.hpp"
#include "arch/fold_plan.hpp"
#include "arch/timing/timing_model.hpp"
#include "models/gemm/int8_gemm.hpp"

namespace saffire::faults {

/// One accumulate that latched a wrong value.
struct TimingError {
  std::int64_t m = 0, n = 0, k = 0;  // GEMM address: output Y[m][n], reduction step k
  int bit = 0;                       // j: the carry into bit j was late, the sum latched is 2^j too small
  std::uint32_t before = 0;          // the correct sum of that accumulate
  std::uint32_t after = 0;           // the latched value, before - 2^j (mod 2^32)
  bool operator==(const TimingError&) const = default;
};

/// Runs one fold of `plan` for args (y as the fold-level model leaves it: WS adds the fold's partial
/// sums into y, which the caller zeroes before the first fold unless args.accumulate; OS writes or
/// adds the tile). Appends the fold's errors to `errors` (any order). `tm` covers the array.
void timing_fold(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::Int8GemmArgs& args,
                 const arch::Fold& fold, std::vector<TimingError>& errors);

/// The whole GEMM, fold by fold in FoldPlan order; errors sorted canonically (sort_timing_errors).
void timing_gemm(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::Int8GemmArgs& args,
                 std::vector<TimingError>& errors);

/// Canonical order of a GEMM's errors, the same whatever order an engine found them in: by (m, n, k).
void sort_timing_errors(std::vector<TimingError>& errors);

}  // namespace saffire::faults
