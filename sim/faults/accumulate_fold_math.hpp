#pragma once
// Fold math under an accumulate rule (sim/faults/fault_model.hpp), in the order the dataflow performs
// the accumulates, so outputs and errors equal the PE-level model's cycle-by-cycle result. Used by the
// fold-level model and by the engines that do not simulate the array (cpu, cuda).
//  - timing (arch/timing): every accumulate of every PE is checked against the TimingModel;
//  - stuck-at (sim/faults/stuck_at.hpp): only the outputs that pass a faulty PE are walked, and their
//    difference to the exact value is added to an exact result (the fast kernel's).
//   WS fold (reduction rows k0.., columns n0..): for each streamed row m, the partial sum of PE
//       column c starts at PE (0, c) and passes PEs (1, c) .. (rows_used-1, c); PE (r, c) adds
//       x[m][k0+r] * w[k0+r][n0+c]. The output buffer adds the fold's partial sum to y exactly
//       (it sits outside the PE array).
//   OS fold (output rows m0.., columns n0..): PE (r, c) accumulates x[m0+r][k] * w[k][n0+c] for
//       k = 0 .. K-1, from 0; the finished accumulator is written to y (added with args.accumulate).
// Timing: each accumulate fails at most once (the rule of arch/timing/carry_chain.hpp), so the output
// word is the exact one minus the sum of 2^j over its errors (mod 2^32).
// Stuck-at, WS: a partial sum passes all R PE rows of its column, also those the last reduction fold
// leaves unused (they add 0 but still latch through the stuck adder); such an error is logged with
// k = k0 + row >= K.
#include <cstdint>
#include <functional>
#include <vector>

#include "arch/array_config.hpp"
#include "arch/fold_plan.hpp"
#include "arch/timing/timing_model.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "sim/faults/fault_model.hpp"
#include "sim/faults/stuck_at.hpp"

namespace saffire::faults {

/// One accumulate that latched a wrong value.
struct AccumulateError {
  std::int64_t m = 0, n = 0, k = 0;  // GEMM address: output Y[m][n], reduction step k
  int bit = 0;                       // timing: the carry into bit j was late (latched 2^j too small);
                                     // stuck-at: the lowest bit the stuck adder changed
  std::uint32_t before = 0;          // the correct sum of that accumulate
  std::uint32_t after = 0;           // the latched value
  bool operator==(const AccumulateError&) const = default;
};

/// Runs one fold of `plan` for args (y as the fold-level model leaves it: WS adds the fold's partial
/// sums into y, which the caller zeroes before the first fold unless args.accumulate; OS writes or
/// adds the tile). Appends the fold's errors to `errors` (any order). `tm` covers the array.
void timing_fold(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::Int8GemmArgs& args,
                 const arch::Fold& fold, std::vector<AccumulateError>& errors);

/// The whole GEMM, fold by fold in FoldPlan order; errors sorted canonically (sort_timing_errors).
void timing_gemm(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::Int8GemmArgs& args,
                 std::vector<AccumulateError>& errors);

/// Stuck-at: adds the deltas of one fold of `plan` to y, which holds the exact result of the fold's
/// outputs (alone or with other folds' contributions); appends the fold's errors (any order).
void stuck_at_fold(const arch::ArrayConfig& cfg, const StuckAtMap& map, const models::Int8GemmArgs& args,
                   const arch::Fold& fold, std::vector<AccumulateError>& errors);

/// The whole GEMM under `rule` (not monostate) on an engine that does not simulate the array: timing
/// computes it in the array's order; stuck-at runs `exact` (y = X * W exactly, honouring
/// args.accumulate) and then repairs every fold. Errors sorted canonically.
void rule_gemm(const arch::ArrayConfig& cfg, const AccumulateRule& rule, const models::Int8GemmArgs& args,
               const std::function<void()>& exact, std::vector<AccumulateError>& errors);

/// Canonical order of a GEMM's errors, the same whatever order an engine found them in: by (m, n, k).
void sort_timing_errors(std::vector<AccumulateError>& errors);

}  // namespace saffire::faults
