#pragma once
// PeNumerics: the number formats of one PE design ([arch] operand_type, accumulator_type, fma,
// output_buffer_type). Supported pairs:
//   operands int8 or int16 -> accumulator int32 (exact products, wrap-around sums; fma is moot);
//   operands fp16, bf16, fp8-e4m3, fp8-e5m2 -> accumulator fp32, fp16 or bf16.
// Rejected: floating-point operands with an integer accumulator (the sum would need a rounding rule
// to an integer nobody builds), integer operands with a floating-point accumulator (an INT8 array
// accumulates exactly in INT32; a float accumulator would round exact integer sums above 2^24 and
// model no design this project studies), fp32 or int32 operands (no multiplier of that width is modelled).
// The output buffer (WS: where the folds' partial sums are added; OS: where the outputs land) holds
// the accumulator's format by default; it may be any floating-point format for a float accumulator
// (int32 for an integer one).
#include <string>

#include "arch/numerics/number_format.hpp"

namespace saffire::arch {

struct PeNumerics {
  NumberFormat operand = NumberFormat::Int8;
  NumberFormat accumulator = NumberFormat::Int32;
  bool fma = true;  // true: acc <- round(acc + a*b) (one rounding); false: acc <- round(acc + round(a*b))
  NumberFormat output_buffer = NumberFormat::Int32;

  /// The INT8 x INT8 -> INT32 array every engine ran before floating point (the fast integer path).
  bool is_int8() const { return operand == NumberFormat::Int8; }
  bool is_float() const { return info(accumulator).is_float; }
  /// Throws ConfigError "<prefix>operand_type: ..." / "<prefix>accumulator_type: ..." /
  /// "<prefix>output_buffer_type: ..." for an unsupported combination (prefix e.g. "arch.").
  void validate(const std::string& prefix = "arch.") const;
};

/// "bf16 x bf16 -> fp32 (fma), output buffer fp32" for reports.
std::string describe(const PeNumerics& n);

}  // namespace saffire::arch
