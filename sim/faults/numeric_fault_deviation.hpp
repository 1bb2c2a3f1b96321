#pragma once
// Which accumulator bits matter on floating-point PEs: the output deviation of each injected flip,
// grouped by bit position. A flip's deviation is |y_faulty - y_clean| / sum_k |x_mk| |w_kn|, the output's
// own magnitude scale (so 2^-24 is an fp32 rounding of a cancellation-free sum and 1 a deviation as large
// as the whole dot product); a non-finite faulty output (an exponent flip to all ones) counts apart.
#include <cstdint>
#include <string_view>
#include <vector>

#include "arch/fault_site.hpp"
#include "arch/numerics/number_format.hpp"
#include "models/gemm/ordered_gemm.hpp"

namespace saffire::faults {

enum class FloatField { Sign, Exponent, Mantissa };
/// The field of bit `bit` (0 = least significant) of a floating-point word of format `f`.
FloatField field_of(arch::NumberFormat f, int bit);
std::string_view to_string(FloatField field);

struct BitDeviation {
  int bit = 0;
  FloatField field = FloatField::Mantissa;
  std::int64_t faults = 0;     // flips of this bit
  std::int64_t changed = 0;    // of them, outputs that differ from the clean one
  std::int64_t nonfinite = 0;  // faulty output infinite or NaN where the clean one is finite
  double max_relative = 0;     // largest finite deviation / magnitude scale
  double median_relative = 0;  // median of the finite ones
};

/// One row per bit that was flipped, in bit order. `clean` and `faulty` are (m x n) with args.ldy; the
/// operands are args.x and args.w. Words hit by more than one flip are counted under each of their bits.
std::vector<BitDeviation> deviation_by_bit(arch::NumberFormat accumulator, const models::NumericGemmArgs& args,
                                           const double* clean, const double* faulty,
                                           const std::vector<arch::OutputFault>& faults);

}  // namespace saffire::faults
