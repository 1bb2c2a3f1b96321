#include "arch/timing/fp_adder_timing.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/numerics/pe_arithmetic.hpp"

namespace saffire::arch {

AlignedAddition align_for_addition(NumberFormat acc, double a, double b) {
  AlignedAddition out;
  const FormatInfo& in = info(acc);
  if (!in.is_float) throw std::invalid_argument("align_for_addition: a floating-point accumulator format");
  if (a == 0 || b == 0 || !std::isfinite(a) || !std::isfinite(b)) return out;
  const int p = in.precision;
  out.width = p + 3;
  const bool a_big = std::fabs(a) >= std::fabs(b);
  const double big = a_big ? a : b, small = a_big ? b : a;
  int e2 = 0;
  std::frexp(big, &e2);
  const int e_big = std::max(e2 - 1, in.emin);  // subnormal accumulators sit on the emin grid
  out.lsb = e_big - (p - 1) - 3;
  // |big| / 2^lsb is an integer below 2^(p+3) when big is a value of the format; an exact product addend
  // (fused MAC) wider than p bits is cut like the small operand (its excess bits go to sticky).
  const double big_w = std::ldexp(std::fabs(big), -out.lsb);
  const double small_w = std::ldexp(std::fabs(small), -out.lsb);
  const auto keep = [](double v) {  // bits at and above the round bit, the rest ORed into sticky (bit 0)
    const double hi = std::floor(v / 2) * 2;
    return static_cast<std::uint32_t>(hi) | (v != hi ? 1u : 0u);
  };
  out.big = keep(big_w);
  std::uint32_t s = keep(small_w);
  out.subtract = std::signbit(big) != std::signbit(small);
  const std::uint32_t mask = out.width >= 32 ? 0xFFFFFFFFu : ((1u << out.width) - 1u);
  if (out.subtract) s = (~s + 1u) & mask;
  out.small = s & mask;
  out.big &= mask;
  out.big_negative = std::signbit(big);
  out.valid = true;
  return out;
}

CarryChain fp_carry_chain(const AlignedAddition& add) {
  if (!add.valid) return {};
  return longest_carry_chain_ripple(add.big, add.small, add.width);
}

int fp_max_safe_chain(int width, double guard_band, double factor) {
  const double s = std::floor((width + 8.0) / ((1.0 - guard_band) * factor) - 8.0);
  return static_cast<int>(std::clamp(s, 0.0, static_cast<double>(width)));
}

double fp_latched_sum(NumberFormat acc, double a, double b, int safe, int* error_bit) {
  if (error_bit) *error_bit = -1;
  const double correct = round_to(acc, add_round_to_odd(a, b));
  const AlignedAddition add = align_for_addition(acc, a, b);
  if (!add.valid) return correct;
  const CarryChain chain = fp_carry_chain(add);
  if (chain.length <= safe) return correct;
  if (chain.end == add.width && add.subtract) return correct;  // a subtraction's carry-out is discarded
  if (error_bit) *error_bit = chain.end;
  // The window sum without 2^j: B - sign(B) 2^(j + lsb) is exact in double (p + 4 bits), then + S once.
  const bool a_big = std::fabs(a) >= std::fabs(b);
  const double big = a_big ? a : b, small = a_big ? b : a;
  const double missed = std::ldexp(add.big_negative ? -1.0 : 1.0, chain.end + add.lsb);
  return round_to(acc, add_round_to_odd(big - missed, small));
}

}  // namespace saffire::arch
