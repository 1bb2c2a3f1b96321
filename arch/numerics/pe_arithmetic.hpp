#pragma once
// PeArithmetic: the two rounding points of an array, shared by every engine so that all of them
// round the same sums the same way.
//   mac(acc, a, b): one PE step in the accumulator format, acc <- round(acc + a*b) with fma, else
//     acc <- round(acc + round(a*b)); integer accumulators wrap mod 2^32 (exact products).
//   buffer_add(y, p): the output buffer adds an arriving partial sum, y <- round_ob(y + p).
// Operands and results are doubles holding values of their formats. Products of two operands are
// exact in double (at most 2 x 16 significand bits, exponents far inside double's range); the sum
// acc + a*b is formed exactly with TwoSum, rounded to odd at double precision, then to nearest-even in
// the target format, which equals one rounding of the exact sum because 53 >= p + 2 for every target.
// Out of line in a file compiled with -ffp-contract=off: a contracted a*b + acc would break TwoSum.
#include "arch/numerics/pe_numerics.hpp"

namespace saffire::arch {

/// a + b (doubles) rounded to odd: the exact sum when representable, else the neighbour of the exact
/// sum whose last significand bit is 1.
double add_round_to_odd(double a, double b);

class PeArithmetic {
 public:
  explicit PeArithmetic(const PeNumerics& n) : m_n(n), m_float(n.is_float()) {}

  double mac(double acc, double a, double b) const;
  double buffer_add(double y, double partial) const;
  const PeNumerics& numerics() const { return m_n; }

 private:
  PeNumerics m_n;
  bool m_float;
};

}  // namespace saffire::arch
