#pragma once
// Timing errors on floating-point PEs (the `timing` model, --fault-model timing --voltage V): the ordered
// GEMM (models/gemm/ordered_gemm.hpp) walked step by step, every PE accumulate through the significand
// adder's timing rule of arch/timing/fp_adder_timing.hpp. The PE of step (m, n, k) is the array's
// (arch::map_to_hardware: WS (k % R, n % C), OS (m % R, n % C)); its longest safe chain is
// fp_max_safe_chain(p + 3, guard_band, delay_scale * pe_factor(r, c)) of the plan's TimingModel (the INT
// model's voltage, process variation and clock, a W = p + 3 bit adder instead of 32). The output buffer's
// adds and a separate multiplier's rounding are not exposed. Deterministic by site: the same errors on every
// engine (the cpu wrapper and the array engine run this walk) and thread count.
#include <vector>

#include "arch/array_config.hpp"
#include "arch/timing/timing_model.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "sim/faults/accumulate_fold_math.hpp"

namespace saffire::faults {

/// args.y = X * W in array's formats and order with timing errors at every accumulate; returns the failing
/// accumulates (before / after: the accumulator word's encodings, arch::encode, of the correct and the
/// latched sum; bit: j of the missed carry in the adder's window). `timing` must cover the array.
std::vector<AccumulateError> timing_numeric_gemm(const arch::ArrayConfig& array, const arch::TimingModel& timing,
                                                 const models::NumericGemmArgs& args);

}  // namespace saffire::faults
