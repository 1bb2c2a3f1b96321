#include "arch/numerics/number_format.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "arch/config_error.hpp"

namespace saffire::arch {
namespace {

constexpr std::array<std::pair<std::string_view, NumberFormat>, 8> kNames{{
    {"int8", NumberFormat::Int8},
    {"int16", NumberFormat::Int16},
    {"int32", NumberFormat::Int32},
    {"fp32", NumberFormat::Fp32},
    {"fp16", NumberFormat::Fp16},
    {"bf16", NumberFormat::Bf16},
    {"fp8-e4m3", NumberFormat::Fp8E4M3},
    {"fp8-e5m2", NumberFormat::Fp8E5M2},
}};

FormatInfo integer(int bits) {
  return {false, bits, bits - 1, 0, 0, 0, false, std::ldexp(1.0, bits - 1) - 1};
}
// IEEE-style layout with `exponent_bits` and precision-1 stored mantissa bits; the top exponent code
// holds infinities and NaNs.
FormatInfo ieee(int bits, int exponent_bits, int precision) {
  const int emax = (1 << (exponent_bits - 1)) - 1;
  return {true, bits, precision, exponent_bits, 1 - emax, emax, true,
          std::ldexp(2.0 - std::ldexp(1.0, 1 - precision), emax)};
}

const std::array<FormatInfo, 8> kInfo{
    integer(8),
    integer(16),
    integer(32),
    ieee(32, 8, 24),
    ieee(16, 5, 11),
    ieee(16, 8, 8),
    // E4M3: bias 7, the top exponent code is a normal binade (emax 8) except S.1111.111 (NaN): 448.
    FormatInfo{true, 8, 4, 4, -6, 8, false, 448.0},
    ieee(8, 5, 3),
};

int bias(const FormatInfo& i) { return 1 - i.emin; }

}  // namespace

std::string_view to_string(NumberFormat f) {
  for (const auto& [name, format] : kNames)
    if (format == f) return name;
  return "?";
}

NumberFormat parse_number_format(std::string_view text, std::string_view where) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "e4m3") lower = "fp8-e4m3";
  if (lower == "e5m2") lower = "fp8-e5m2";
  std::string expected;
  for (const auto& [name, format] : kNames) {
    if (lower == name) return format;
    expected += (expected.empty() ? "" : ", ") + std::string(name);
  }
  throw ConfigError(std::string(where) + ": unknown number format '" + std::string(text) + "' (expected " + expected +
                    ")");
}

const FormatInfo& info(NumberFormat f) { return kInfo[static_cast<std::size_t>(f)]; }

double round_to(NumberFormat f, double v) {
  const FormatInfo& i = info(f);
  if (!i.is_float) {
    if (v != std::nearbyint(v) || v > i.max_finite || v < -i.max_finite - 1)
      throw std::invalid_argument("round_to " + std::string(to_string(f)) + ": not an integer in range");
    return v;
  }
  if (std::isnan(v)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(v)) return i.has_inf ? v : std::numeric_limits<double>::quiet_NaN();
  if (v == 0) return v;  // keeps the sign of zero
  int e = 0;
  std::frexp(v, &e);                                             // |v| in [2^(e-1), 2^e)
  const int quantum = std::max(e - 1, i.emin) - (i.precision - 1);  // subnormals share emin's quantum
  // Scaling by powers of two is exact; nearbyint rounds ties to even in the default rounding mode.
  const double r = std::ldexp(std::nearbyint(std::ldexp(v, -quantum)), quantum);
  if (std::fabs(r) > i.max_finite)
    return i.has_inf ? std::copysign(std::numeric_limits<double>::infinity(), v)
                     : std::numeric_limits<double>::quiet_NaN();
  return r;
}

std::uint32_t encode(NumberFormat f, double v) {
  const FormatInfo& i = info(f);
  const std::uint32_t mask = i.bits == 32 ? 0xffffffffu : (1u << i.bits) - 1;
  if (!i.is_float) return static_cast<std::uint32_t>(static_cast<std::int64_t>(v)) & mask;
  const int m_bits = i.precision - 1;
  const std::uint32_t exp_all = (1u << i.exponent_bits) - 1;
  if (std::isnan(v)) {
    if (!i.has_inf) return (exp_all << m_bits) | ((1u << m_bits) - 1);  // E4M3: S.1111.111
    return (exp_all << m_bits) | (1u << (m_bits - 1));
  }
  const std::uint32_t sign = std::signbit(v) ? 1u << (i.bits - 1) : 0u;
  const double a = std::fabs(v);
  if (std::isinf(a)) return sign | (exp_all << m_bits);
  if (a == 0) return sign;
  int e = 0;
  std::frexp(a, &e);
  const int exponent = e - 1;
  if (exponent < i.emin) {  // subnormal: a = m * 2^(emin - m_bits)
    return sign | static_cast<std::uint32_t>(std::ldexp(a, m_bits - i.emin));
  }
  const auto mantissa = static_cast<std::uint32_t>(std::ldexp(a, m_bits - exponent)) & ((1u << m_bits) - 1);
  return sign | (static_cast<std::uint32_t>(exponent + bias(i)) << m_bits) | mantissa;
}

double decode(NumberFormat f, std::uint32_t bits) {
  const FormatInfo& i = info(f);
  if (!i.is_float) {
    const std::int64_t raw = bits & (i.bits == 32 ? 0xffffffffu : (1u << i.bits) - 1);
    const std::int64_t half = std::int64_t{1} << (i.bits - 1);
    return static_cast<double>(raw >= half ? raw - 2 * half : raw);
  }
  const int m_bits = i.precision - 1;
  const std::uint32_t exp_all = (1u << i.exponent_bits) - 1;
  const bool negative = (bits >> (i.bits - 1)) & 1u;
  const std::uint32_t exponent = (bits >> m_bits) & exp_all;
  const std::uint32_t mantissa = bits & ((1u << m_bits) - 1);
  double a = 0;
  if (exponent == exp_all && i.has_inf) {
    a = mantissa == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else if (exponent == exp_all && mantissa == (1u << m_bits) - 1) {  // E4M3's NaN
    a = std::numeric_limits<double>::quiet_NaN();
  } else if (exponent == 0) {
    a = std::ldexp(static_cast<double>(mantissa), i.emin - m_bits);
  } else {
    a = std::ldexp(static_cast<double>(mantissa | (1u << m_bits)), static_cast<int>(exponent) - bias(i) - m_bits);
  }
  return negative ? -a : a;
}

}  // namespace saffire::arch
