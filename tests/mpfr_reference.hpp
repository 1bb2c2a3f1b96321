#pragma once
// The independent reference of the floating-point tests: exact arithmetic with MPFR (Debian's
// libmpfr-dev), each result rounded once to the target format's grid (precision, subnormals, overflow)
// with MPFR's own integer rounding. Shares no code with arch/numerics/ beyond the format's parameters.
#include <mpfr.h>

#include <cmath>
#include <limits>

#include "arch/numerics/number_format.hpp"

namespace saffire::test {

class MpfrReference {
 public:
  MpfrReference() {
    // 2048 bits hold any exact sum of two values of these formats (from 2^-300 to 2^260) and any product.
    mpfr_inits2(2048, m_a, m_b, m_t, static_cast<mpfr_ptr>(nullptr));
  }
  ~MpfrReference() { mpfr_clears(m_a, m_b, m_t, static_cast<mpfr_ptr>(nullptr)); }
  MpfrReference(const MpfrReference&) = delete;
  MpfrReference& operator=(const MpfrReference&) = delete;

  /// round(acc + a*b) (fused) or round(acc + round(a*b)), rounded to `f` (a floating-point format).
  double mac(arch::NumberFormat f, bool fused, double acc, double a, double b) {
    mpfr_set_d(m_a, a, MPFR_RNDN);
    mpfr_set_d(m_b, b, MPFR_RNDN);
    mpfr_mul(m_t, m_a, m_b, MPFR_RNDN);  // exact
    if (!fused) round_in_place(f, m_t);
    mpfr_set_d(m_a, acc, MPFR_RNDN);
    mpfr_add(m_t, m_a, m_t, MPFR_RNDN);  // exact
    return rounded(f, m_t);
  }
  /// round(y + p) to `f`.
  double add(arch::NumberFormat f, double y, double p) {
    mpfr_set_d(m_a, y, MPFR_RNDN);
    mpfr_set_d(m_b, p, MPFR_RNDN);
    mpfr_add(m_t, m_a, m_b, MPFR_RNDN);
    return rounded(f, m_t);
  }

 private:
  // v <- v rounded to nearest-even on f's grid; an overflow becomes +-inf (NaN for a format without one).
  static void round_in_place(arch::NumberFormat f, mpfr_t v) {
    const arch::FormatInfo& i = arch::info(f);
    if (mpfr_nan_p(v) || mpfr_zero_p(v)) return;
    if (mpfr_inf_p(v)) {
      if (!i.has_inf) mpfr_set_nan(v);
      return;
    }
    // MPFR: v = 0.1b... x 2^e, leading bit 2^(e-1); below 2^emin the quantum stays 2^(emin-p+1).
    const long lead = static_cast<long>(mpfr_get_exp(v)) - 1;
    const long quantum = std::max<long>(lead, i.emin) - (i.precision - 1);
    mpfr_mul_2si(v, v, -quantum, MPFR_RNDN);
    mpfr_rint(v, v, MPFR_RNDN);  // ties to even
    mpfr_mul_2si(v, v, quantum, MPFR_RNDN);
    mpfr_t max;
    mpfr_init2(max, 64);
    mpfr_set_d(max, i.max_finite, MPFR_RNDN);
    if (mpfr_cmpabs(v, max) > 0) {
      if (i.has_inf) {
        mpfr_set_inf(v, mpfr_sgn(v));
      } else {
        mpfr_set_nan(v);
      }
    }
    mpfr_clear(max);
  }
  static double rounded(arch::NumberFormat f, mpfr_t v) {
    round_in_place(f, v);
    if (mpfr_nan_p(v)) return std::numeric_limits<double>::quiet_NaN();
    return mpfr_get_d(v, MPFR_RNDN);  // exact: every format is a subset of double
  }

  mpfr_t m_a, m_b, m_t;
};

}  // namespace saffire::test
