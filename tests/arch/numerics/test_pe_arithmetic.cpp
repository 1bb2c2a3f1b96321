// PeArithmetic's MAC and buffer add against MPFR's exact arithmetic rounded once, and the FP32 steps
// against the machine's own float fmaf and float add, over random values of every operand format
// (subnormals, infinities, NaN and overflow included).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "arch/numerics/pe_arithmetic.hpp"
#include "mpfr_reference.hpp"

using namespace saffire::arch;

namespace {

struct Bits {  // xorshift64: deterministic patterns
  std::uint64_t s;
  std::uint32_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<std::uint32_t>(s >> 16);
  }
};

bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

}  // namespace

TEST_CASE("add_round_to_odd: exact sums unchanged, inexact ones on the odd neighbour", "[unit]") {
  CHECK(add_round_to_odd(1.0, 2.0) == 3.0);
  const double odd = add_round_to_odd(1.0, 0x1p-60);  // 1 + 2^-60: between 1 and 1 + 2^-52
  CHECK(odd == 1.0 + 0x1p-52);
  CHECK(add_round_to_odd(1.0, -0x1p-60) == 1.0 - 0x1p-53);
  CHECK(add_round_to_odd(1.0 + 0x1p-52, 0x1p-60) == 1.0 + 0x1p-52);  // already odd
}

TEST_CASE("PE MAC and buffer add equal MPFR rounded once, for every pair and both fma modes", "[unit]") {
  saffire::test::MpfrReference ref;
  const NumberFormat operands[] = {NumberFormat::Fp16, NumberFormat::Bf16, NumberFormat::Fp8E4M3,
                                   NumberFormat::Fp8E5M2};
  const NumberFormat accumulators[] = {NumberFormat::Fp32, NumberFormat::Fp16, NumberFormat::Bf16};
  Bits rng{0x9e3779b97f4a7c15ull};
  for (NumberFormat op : operands) {
    for (NumberFormat accf : accumulators) {
      for (bool fused : {true, false}) {
        const PeArithmetic arith(PeNumerics{op, accf, fused, accf});
        for (int i = 0; i < 4000; ++i) {
          const double a = decode(op, rng.next());
          const double b = decode(op, rng.next());
          // Accumulators: random patterns, half of them scaled near the product to force cancellation.
          double acc = decode(accf, rng.next());
          if (i % 2 && std::isfinite(a * b)) acc = round_to(accf, -a * b * (1 + std::ldexp(1.0, -(i % 30))));
          const double got = arith.mac(acc, a, b);
          const double want = ref.mac(accf, fused, acc, a, b);
          INFO(to_string(op) << "->" << to_string(accf) << (fused ? " fma " : " mul+add ") << acc << " + " << a
                             << " * " << b);
          REQUIRE(same(got, want));
          REQUIRE(same(arith.buffer_add(acc, got), ref.add(accf, acc, got)));
        }
      }
    }
  }
}

TEST_CASE("FP32 MAC equals the machine's fmaf and float multiply-then-add", "[unit]") {
  Bits rng{12345};
  const PeArithmetic fused(PeNumerics{NumberFormat::Bf16, NumberFormat::Fp32, true, NumberFormat::Fp32});
  const PeArithmetic unfused(PeNumerics{NumberFormat::Bf16, NumberFormat::Fp32, false, NumberFormat::Fp32});
  for (int i = 0; i < 100000; ++i) {
    const auto a = static_cast<float>(decode(NumberFormat::Bf16, rng.next()));
    const auto b = static_cast<float>(decode(NumberFormat::Bf16, rng.next()));
    const auto acc = static_cast<float>(decode(NumberFormat::Fp32, rng.next() ^ (rng.next() << 16)));
    volatile float product = a * b;  // volatile: never contracted into an fma
    REQUIRE(same(fused.mac(acc, a, b), std::fma(a, b, acc)));
    REQUIRE(same(unfused.mac(acc, a, b), static_cast<float>(acc + product)));
  }
}

TEST_CASE("integer MAC wraps mod 2^32", "[unit]") {
  const PeArithmetic arith(PeNumerics{NumberFormat::Int16, NumberFormat::Int32, true, NumberFormat::Int32});
  CHECK(arith.mac(2147483647.0, 1.0, 1.0) == -2147483648.0);
  CHECK(arith.mac(0.0, -32768.0, -32768.0) == 1073741824.0);
  CHECK(arith.buffer_add(-2147483648.0, -1.0) == 2147483647.0);
}
