#pragma once
// Output-word bit flips (the bitflip and table models) on floating-point PEs, with the array's
// semantics of sim/faults/bitflip_fault.hpp: the flip lands in the accumulator word of the output's
// last reduction step k = K-1, in the accumulator's own format (sign, exponent or mantissa bit of its
// encoding, arch/numerics/number_format.hpp):
//   OS: the PE's accumulator after mac of step K-1 is flipped, then the output buffer takes it,
//       y = buffer_add(+0, flipped);
//   WS: the last fold's partial sum is flipped as it leaves PE row (K-1) % R (a short fold then adds
//       its one 0 x 0 of the unused rows), then added to the earlier folds' sum, y = buffer_add(y', flipped).
// With the output buffer in the accumulator's format, OS's y is exactly the flipped word (the flip is the
// last rounding step); in WS the flipped partial sum is rounded once more in the buffer's add.
// Every engine with a floating-point path (cpu through FaultInjectingEngine, array) computes the clean
// GEMM, then recomputes each faulty output with this walk (O(K) per fault, PeArithmetic's scalar step in
// the order of models/gemm/ordered_gemm.hpp), so the same plan gives the same outputs on all of them.
#include <cstdint>
#include <functional>
#include <vector>

#include "arch/fault_site.hpp"
#include "arch/numerics/pe_numerics.hpp"
#include "models/engine/gemm_id.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::faults {

/// Output (m, n) of `args` in `order` with accumulator bit `bit` flipped at the last reduction step.
/// Throws ConfigError when `bit` is not a bit of the accumulator's word.
double faulty_numeric_output(const arch::PeNumerics& numerics, const models::AccumulationOrder& order,
                             const models::NumericGemmArgs& args, std::int64_t m, std::int64_t n, int bit);

/// `args.y` holds the clean result; writes every fault's faulty output into it (several faults on one
/// word are flipped together, as the integer path XORs them in turn).
void apply_numeric_output_faults(const arch::PeNumerics& numerics, const models::AccumulationOrder& order,
                                 const models::NumericGemmArgs& args, const std::vector<arch::OutputFault>& faults);

/// Throws ConfigError "<key>: bit B is not a bit of the <fmt> accumulator (0..W-1)" when a fault's bit is
/// past the accumulator word's width.
void check_accumulator_bit(const arch::PeNumerics& numerics, int bit, const char* key);

/// Throws ConfigError (naming the option) when the plan holds faults floating-point PEs do not take:
/// stuck-at bits, SRAM errors. Call it before the first GEMM, so a bad campaign stops before any work.
void check_numeric_fault_plan(const FaultPlan& plan, const arch::ArrayConfig& array);

/// One numeric GEMM of a faulty engine: `clean` computes args.y without faults (the engine's own path),
/// then the plan's output-word faults of `id` are flipped in; returns them (also in the plan's log, without
/// values: FaultValues holds integer words). The timing model instead recomputes the GEMM with timing errors
/// at every accumulate (sim/faults/numeric_timing_faults.hpp; its errors go to the plan's log, values the
/// accumulator word's encodings). Stuck-at and SRAM errors are refused for floating-point PEs (ConfigError
/// naming the option).
std::vector<arch::OutputFault> numeric_gemm_with_faults(FaultPlan& plan, const models::GemmId& id,
                                                        const arch::ArrayConfig& array,
                                                        const models::NumericGemmArgs& args,
                                                        const std::function<void()>& clean);

}  // namespace saffire::faults
