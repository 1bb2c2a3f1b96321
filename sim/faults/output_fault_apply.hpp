#pragma once
// Applying an output-word bit flip after the fact, with the array's semantics (see
// sim/faults/bitflip_fault.hpp): OS flips the finished accumulator; WS flips the last fold's partial
// sum, which is then added to the earlier folds' sum. Used by the fold-level model and by engines
// that do not simulate the array, so they produce the PE-level model's faulty outputs exactly.
#include "arch/array_config.hpp"
#include "sim/faults/bitflip_fault.hpp"
#include "models/gemm/int8_gemm.hpp"

namespace saffire::faults {

/// `args.y` holds the clean result; flips `fault` into it. Cost O(R) for WS, O(1) for OS.
void apply_output_fault(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& args, const arch::OutputFault& fault);

/// The inverse: `args.y` holds a faulty result; restores the clean word.
void revert_output_fault(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& args, const arch::OutputFault& fault);

}  // namespace saffire::faults
