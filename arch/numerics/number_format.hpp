#pragma once
// NumberFormat: the word formats a PE's multiplier inputs, accumulator and output buffer may hold, and
// the one rounding rule every engine uses to reach them (round to nearest, ties to even).
//
// Values travel through saffire as doubles holding a value exactly representable in their format
// (every format here is a subset of double). NaN payloads and signs are not modelled: a format has one NaN.
// FP8 follows the OCP 8-bit floating point specification (v1.0): E4M3 has no infinities, one NaN
// pattern per sign (S.1111.111) and a largest finite value of 448; E5M2 is IEEE-like (infinities,
// NaNs, 57344). Conversions are NON-saturating: a value that rounds above the largest finite one becomes
// an infinity (E5M2, FP16, BF16, FP32) or NaN (E4M3, which has no infinity).
#include <cstdint>
#include <string_view>

namespace saffire::arch {

enum class NumberFormat { Int8, Int16, Int32, Fp32, Fp16, Bf16, Fp8E4M3, Fp8E5M2 };

/// "int8", "int16", "int32", "fp32", "fp16", "bf16", "fp8-e4m3", "fp8-e5m2".
std::string_view to_string(NumberFormat f);
/// Parses the names of to_string (case-insensitive; "e4m3"/"e5m2" alone are accepted too, "fp8" is not:
/// it is ambiguous). Throws ConfigError "<where>: unknown number format '...' (expected ...)".
NumberFormat parse_number_format(std::string_view text, std::string_view where);

/// What a format can hold. Floating point: value = (-1)^s * 2^e * 1.f (normal, emin <= e <= emax) or
/// 2^emin * 0.f (subnormal), `precision` significand bits including the implicit one.
struct FormatInfo {
  bool is_float = false;
  int bits = 0;            // word width
  int precision = 0;       // significand bits (integers: value bits, sign excluded)
  int exponent_bits = 0;
  int emin = 0, emax = 0;  // exponents of the smallest and largest normal binade
  bool has_inf = false;
  double max_finite = 0;   // largest finite value (integers: the largest value)
};
const FormatInfo& info(NumberFormat f);

/// The format value nearest to v, ties to even; NaN in gives NaN; overflow as described above.
/// Integer formats: v must already be an integer in range (throws std::invalid_argument otherwise).
double round_to(NumberFormat f, double v);

/// The bit pattern of a value of the format (v must be representable: round_to(f, v) == v or NaN);
/// NaN encodes as the canonical quiet NaN (sign 0, all exponent bits, top mantissa bit; E4M3 0x7f).
std::uint32_t encode(NumberFormat f, double v);
/// The value of a bit pattern (only the low info(f).bits bits are read).
double decode(NumberFormat f, std::uint32_t bits);

}  // namespace saffire::arch
