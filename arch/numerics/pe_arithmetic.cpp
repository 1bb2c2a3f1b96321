// Compiled with -ffp-contract=off (arch/CMakeLists.txt): TwoSum and the separate product need every
// multiply and add rounded on its own.
#include "arch/numerics/pe_arithmetic.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace saffire::arch {
namespace {

double wrap_int32(double v) {
  const auto u = static_cast<std::uint32_t>(static_cast<std::int64_t>(v));
  return static_cast<double>(static_cast<std::int32_t>(u));
}

}  // namespace

double add_round_to_odd(double a, double b) {
  const double s = a + b;
  if (!std::isfinite(s)) return s;
  const double bb = s - a;
  const double err = (a - (s - bb)) + (b - bb);  // TwoSum: a + b = s + err exactly
  if (err == 0) return s;
  std::uint64_t bits = 0;
  std::memcpy(&bits, &s, sizeof bits);
  if (bits & 1u) return s;
  return std::nextafter(s, err > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity());
}

double PeArithmetic::mac(double acc, double a, double b) const {
  if (!m_float) return wrap_int32(acc + a * b);  // |a*b| <= 2^30 and |acc| < 2^31: exact in double
  const double product = m_n.fma ? a * b : round_to(m_n.accumulator, a * b);  // a*b exact in double
  return round_to(m_n.accumulator, add_round_to_odd(acc, product));
}

double PeArithmetic::buffer_add(double y, double partial) const {
  if (!m_float) return wrap_int32(y + partial);
  return round_to(m_n.output_buffer, add_round_to_odd(y, partial));
}

}  // namespace saffire::arch
