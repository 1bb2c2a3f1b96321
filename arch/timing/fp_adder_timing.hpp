#pragma once
// The timing-error model on a floating-point accumulator's adder: the carry chain of the aligned-significand
// addition decides a timing failure, with arch/timing's delay and voltage model (arch/timing/README.md).
//
// Adder structure assumed (a single-path FP adder, the textbook one): for acc + addend, the operand of larger
// magnitude is the big one B, the other the small one S. Both significands are integers of p bits (p the
// accumulator's precision with the implicit bit) on B's exponent grid, extended by 3 bits below (guard, round,
// sticky): the W = p + 3 bit window whose least significant bit weighs 2^lsb, lsb = e_B - (p - 1) - 3. S is
// shifted right into the window; everything below the round bit ORs into the sticky bit (bit 0). An effective
// addition (same signs) adds the two window words; an effective subtraction adds B and the two's complement
// of S (inverted, +1 formed before the adder). The carry-propagate adder is W bits wide plus its carry-out
// (bit W): the chain rule of arch/timing/carry_chain.hpp applies to these two W-bit words.
//
// Timing: the adder has the INT accumulator's proportions (t_fixed = 8 t_carry, and its full chain meets the
// clock at the nominal supply: t_fixed + W t_carry = (1 - guard_band) T), so a PE with delay factor
// f = delay_scale * pe_factor completes chains of up to S_W = min(W, floor((W + 8) / ((1 - guard_band) f) - 8))
// bits; at f = 1 every chain settles. If the longest chain has L > S_W its carry into bit j is missed and the
// window sum is 2^j too small; for j = W that is the carry-out, a real bit of an effective addition's sum (the
// normalization's overflow bit) but discarded by a subtraction (no error). The latched value is then the sum
// rounded as the adder's normalization and rounding would: round_acc(a + b - sign(B) 2^(j + lsb)), rounded
// once (the guard/round/sticky window rounds as the exact sum would; the missed 2^j sits at or above bit 0).
// Only the PE's accumulate adder is modelled (not a separate multiplier rounding, not the output buffer).
#include <cstdint>

#include "arch/numerics/number_format.hpp"
#include "arch/timing/carry_chain.hpp"

namespace saffire::arch {

/// The two words the significand adder of acc + addend sees.
struct AlignedAddition {
  bool valid = false;     // false: an operand is zero, infinite or NaN, or the sum needs no adder (no chain)
  int width = 0;          // W = p + 3
  int lsb = 0;            // the window's least significant bit weighs 2^lsb
  bool subtract = false;  // effective subtraction (signs differ): `small` is already in two's complement
  std::uint32_t big = 0, small = 0;
  bool big_negative = false;
};

/// The aligned words of a + b in accumulator format `acc` (a, b: values exactly representable in double;
/// a is the accumulator word, b the addend, either may be the big one).
AlignedAddition align_for_addition(NumberFormat acc, double a, double b);

/// The longest sensitized carry chain of the aligned addition (length 0 when !valid).
CarryChain fp_carry_chain(const AlignedAddition& add);

/// S_W: the longest chain a W-bit FP significand adder completes within the period at delay factor
/// `factor` (delay_scale * pe_factor), guard band `guard_band`.
int fp_max_safe_chain(int width, double guard_band, double factor);

/// round_acc(a + b) as the adder latches it on a PE whose longest safe chain is `safe`: the correct rounded
/// sum, or (a chain longer than `safe` that is not a subtraction's carry-out) the sum missing 2^j in the
/// window. `error_bit` (optional) gets j, or -1 when the sum is correct.
double fp_latched_sum(NumberFormat acc, double a, double b, int safe, int* error_bit = nullptr);

}  // namespace saffire::arch
