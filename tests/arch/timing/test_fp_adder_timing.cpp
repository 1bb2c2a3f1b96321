// The timing model on a floating-point accumulator's significand adder (arch/timing/fp_adder_timing.hpp):
// carry chains of constructed operands equal hand-derived lengths, a missed carry latches the hand-derived
// value, S_W in closed form, and the failure probability of random BF16 -> FP32 accumulations rises as the
// voltage falls (0 at the nominal).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "arch/numerics/number_format.hpp"
#include "arch/numerics/pe_arithmetic.hpp"
#include "arch/timing/fp_adder_timing.hpp"
#include "arch/timing/timing_model.hpp"

using namespace saffire;
using arch::NumberFormat;

TEST_CASE("fp adder: carry chains of constructed operands have their hand-derived lengths", "[unit]") {
  // FP32: p = 24, W = 27. 1.0 + 1.0: both windows are 2^26 (exponent 0, lsb = 0 - 23 - 3 = -26); the one
  // generate at bit 26 carries out: L = 1, j = 27.
  {
    const arch::AlignedAddition a = arch::align_for_addition(NumberFormat::Fp32, 1.0, 1.0);
    CHECK(a.width == 27);
    CHECK(a.lsb == -26);
    CHECK(a.big == (1u << 26));
    CHECK(arch::fp_carry_chain(a) == arch::CarryChain{1, 27});
  }
  // (2 - 2^-23) + 2^-23: the big window holds ones in bits 3..26, the small one bit 3: the carry generated at
  // bit 3 ripples through bits 4..26 into the carry-out: L = 27 - 3 = 24.
  {
    const arch::AlignedAddition a = arch::align_for_addition(NumberFormat::Fp32, 2 - std::ldexp(1.0, -23), std::ldexp(1.0, -23));
    CHECK(a.big == 0x7FFFFF8u);
    CHECK(a.small == 8u);
    CHECK(arch::fp_carry_chain(a) == arch::CarryChain{24, 27});
  }
  // (1 + 2^-23) - 2^-23: big = bits 26 and 3; small = 2^27 - 8 (bits 3..26, two's complement of 8). Generates at
  // bits 3 and 26, propagates at 4..25: the chain from bit 3 ends at bit 26 (p_26 = 0), L = 23.
  {
    const arch::AlignedAddition a = arch::align_for_addition(NumberFormat::Fp32, 1 + std::ldexp(1.0, -23), -std::ldexp(1.0, -23));
    CHECK(a.subtract);
    CHECK(a.small == 0x7FFFFF8u);
    CHECK(arch::fp_carry_chain(a) == arch::CarryChain{23, 26});
  }
  // A small operand far below: only its sticky bit reaches the window (bit 0), no chain longer than 1.
  {
    const arch::AlignedAddition a = arch::align_for_addition(NumberFormat::Fp32, 1.0, std::ldexp(1.0, -60));
    CHECK(a.small == 1u);
    CHECK(arch::fp_carry_chain(a).length == 0);
  }
  // BF16: p = 8, W = 11; 1.5 + 0.5: windows 0x600 (bits 9, 10) and 0x200 (bit 9): generate at 9, propagate
  // at 10, carry-out: L = 2.
  {
    const arch::AlignedAddition a = arch::align_for_addition(NumberFormat::Bf16, 1.5, 0.5);
    CHECK(a.width == 11);
    CHECK(arch::fp_carry_chain(a) == arch::CarryChain{2, 11});
  }
  // Zeros, infinities and NaN need no significand addition.
  CHECK_FALSE(arch::align_for_addition(NumberFormat::Fp32, 0.0, 1.0).valid);
  CHECK_FALSE(arch::align_for_addition(NumberFormat::Fp32, INFINITY, 1.0).valid);
}

TEST_CASE("fp adder: a missed carry latches the hand-derived value; S_W in closed form", "[unit]") {
  int j = 0;
  // (1 + 2^-23) - 2^-23 = 1 exactly; the late carry into bit 26 leaves the window sum 2^26 short: 1 - 1 = 0.
  CHECK(arch::fp_latched_sum(NumberFormat::Fp32, 1 + std::ldexp(1.0, -23), -std::ldexp(1.0, -23), 22, &j) == 0.0);
  CHECK(j == 26);
  CHECK(arch::fp_latched_sum(NumberFormat::Fp32, 1 + std::ldexp(1.0, -23), -std::ldexp(1.0, -23), 23, &j) == 1.0);
  CHECK(j == -1);
  // (2 - 2^-23) + 2^-23 = 2; the missed carry-out (an addition's overflow bit, 2^27 window units = 2) gives 0.
  CHECK(arch::fp_latched_sum(NumberFormat::Fp32, 2 - std::ldexp(1.0, -23), std::ldexp(1.0, -23), 10, &j) == 0.0);
  CHECK(j == 27);
  // A subtraction's carry-out is discarded: 1 - 0.5 (L = 1 into bit 27) never fails.
  CHECK(arch::fp_latched_sum(NumberFormat::Fp32, 1.0, -0.5, 0, &j) == 0.5);
  CHECK(j == -1);
  // S_W = min(W, floor((W + 8) / ((1 - gb) f) - 8)): f = 1 completes W; f = 2, W = 27, gb = 0.05: floor(18.42 - 8) = 10.
  CHECK(arch::fp_max_safe_chain(27, 0.05, 1.0) == 27);
  CHECK(arch::fp_max_safe_chain(27, 0.05, 2.0) == 10);
  CHECK(arch::fp_max_safe_chain(11, 0.05, 3.0) == 0);
}

TEST_CASE("fp adder: failure probability of BF16 -> FP32 accumulations rises as the voltage falls", "[unit]") {
  // Random dot products: bf16 operands in [1/16, 4) with random signs, fused into an fp32 accumulator.
  std::uint64_t s = 99;
  const auto next = [&s] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  struct Step {
    double acc, addend;
  };
  std::vector<Step> steps;
  for (int dot = 0; dot < 40; ++dot) {
    double acc = 0;
    for (int k = 0; k < 256; ++k) {
      const auto v = [&] {
        const std::uint64_t r = next();
        return arch::round_to(NumberFormat::Bf16, std::ldexp(1.0 + static_cast<double>(r & 0xff) / 256.0,
                                                             static_cast<int>((r >> 8) % 6) - 4) * (r >> 12 & 1 ? -1 : 1));
      };
      const double product = v() * v();
      steps.push_back({acc, product});
      acc = arch::round_to(NumberFormat::Fp32, arch::add_round_to_odd(acc, product));
    }
  }
  arch::VoltageConfig vc;
  vc.sigma = 0;
  double previous = -1;
  std::vector<double> rates;
  for (double v : {0.9, 0.8, 0.7, 0.6, 0.5, 0.45}) {
    vc.v = v;
    const arch::TimingModel tm(vc, 1, 1);
    const int safe = arch::fp_max_safe_chain(27, vc.guard_band, tm.delay_scale());
    std::int64_t failures = 0;
    for (const Step& st : steps) {
      int j = -1;
      arch::fp_latched_sum(NumberFormat::Fp32, st.acc, st.addend, safe, &j);
      failures += j >= 0;
    }
    const double rate = static_cast<double>(failures) / static_cast<double>(steps.size());
    INFO("V " << v << " S " << safe << " P(fail) " << rate);
    CHECK(rate >= previous);
    previous = rate;
    rates.push_back(rate);
  }
  CHECK(rates.front() == 0.0);  // nominal: every chain settles
  CHECK(rates.back() > 0.01);
}
