// Number formats: every bit pattern decodes and re-encodes to itself, known values (OCP FP8 tables,
// IEEE half/bfloat16 limits) by hand, and round_to checked at every midpoint between neighbours.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "arch/config_error.hpp"
#include "arch/numerics/number_format.hpp"
#include "arch/numerics/pe_numerics.hpp"
#include "test_support.hpp"

using namespace saffire::arch;

namespace {
constexpr NumberFormat kSmallFloats[] = {NumberFormat::Fp16, NumberFormat::Bf16, NumberFormat::Fp8E4M3,
                                         NumberFormat::Fp8E5M2};
}

TEST_CASE("number format limits match the OCP FP8 and IEEE tables", "[unit]") {
  CHECK(info(NumberFormat::Fp8E4M3).max_finite == 448.0);
  CHECK(info(NumberFormat::Fp8E5M2).max_finite == 57344.0);
  CHECK(info(NumberFormat::Fp16).max_finite == 65504.0);
  CHECK(info(NumberFormat::Bf16).max_finite == static_cast<double>(0x1.fep127f));
  CHECK(info(NumberFormat::Fp32).max_finite == static_cast<double>(std::numeric_limits<float>::max()));
  // Smallest subnormals: E4M3 2^-9, E5M2 2^-16, FP16 2^-24, BF16 2^-133.
  CHECK(decode(NumberFormat::Fp8E4M3, 0x01) == std::ldexp(1.0, -9));
  CHECK(decode(NumberFormat::Fp8E5M2, 0x01) == std::ldexp(1.0, -16));
  CHECK(decode(NumberFormat::Fp16, 0x0001) == std::ldexp(1.0, -24));
  CHECK(decode(NumberFormat::Bf16, 0x0001) == std::ldexp(1.0, -133));
  CHECK(decode(NumberFormat::Fp8E4M3, 0x7e) == 448.0);
  CHECK(std::isnan(decode(NumberFormat::Fp8E4M3, 0x7f)));
  CHECK(std::isnan(decode(NumberFormat::Fp8E4M3, 0xff)));
  CHECK(decode(NumberFormat::Fp8E4M3, 0x78) == 256.0);  // S.1111.000 is a number in E4M3
  CHECK(std::isinf(decode(NumberFormat::Fp8E5M2, 0x7c)));
  CHECK(decode(NumberFormat::Fp16, 0x3c00) == 1.0);
  CHECK(decode(NumberFormat::Bf16, 0x3f80) == 1.0);
  CHECK(decode(NumberFormat::Fp16, 0xc000) == -2.0);
  CHECK(decode(NumberFormat::Int16, 0x8000) == -32768.0);
}

TEST_CASE("every bit pattern decodes and encodes back to itself", "[unit]") {
  for (NumberFormat f : kSmallFloats) {
    const int bits = info(f).bits;
    for (std::uint32_t b = 0; b < (1u << bits); ++b) {
      const double v = decode(f, b);
      if (std::isnan(v)) continue;
      INFO(to_string(f) << " pattern " << b);
      REQUIRE(encode(f, v) == b);
      REQUIRE(round_to(f, v) == v);
    }
  }
  CHECK(encode(NumberFormat::Fp32, 1.0) == 0x3f800000u);
  CHECK(encode(NumberFormat::Fp32, -0x1p-149) == 0x80000001u);
}

TEST_CASE("round_to: midpoints go to the even neighbour, anything off them to the nearer one", "[unit]") {
  for (NumberFormat f : kSmallFloats) {
    const int bits = info(f).bits;
    // Positive finite patterns in increasing order are consecutive integers from 0.
    double previous = decode(f, 0);
    for (std::uint32_t b = 1; b < (1u << (bits - 1)); ++b) {
      const double v = decode(f, b);
      if (std::isnan(v) || std::isinf(v)) break;
      const double mid = (previous + v) / 2;  // exact in double
      const double even = (b & 1u) ? previous : v;
      INFO(to_string(f) << " between " << previous << " and " << v);
      REQUIRE(round_to(f, mid) == even);
      REQUIRE(round_to(f, -mid) == -even);
      REQUIRE(round_to(f, std::nextafter(mid, 0.0)) == previous);
      REQUIRE(round_to(f, std::nextafter(mid, 1e300)) == v);
      previous = v;
    }
    // Above the largest finite value: IEEE formats overflow from max + ulp/2 on (the tie goes to the
    // even 2^(emax+1), which is out of range); E4M3's max 448 (1.110b) is even, so its tie stays at 448
    // and only beyond it overflows, to NaN (no infinity: the non-saturating OCP conversion).
    const double max = info(f).max_finite;
    const double half_ulp = std::ldexp(1.0, info(f).emax - info(f).precision);
    CHECK(round_to(f, std::nextafter(max + half_ulp, 0.0)) == max);
    if (info(f).has_inf) {
      CHECK(round_to(f, max + half_ulp) == std::numeric_limits<double>::infinity());
      CHECK(round_to(f, -1e300) == -std::numeric_limits<double>::infinity());
    } else {
      CHECK(round_to(f, max + half_ulp) == max);
      CHECK(std::isnan(round_to(f, std::nextafter(max + half_ulp, 1e300))));
      CHECK(std::isnan(round_to(f, std::numeric_limits<double>::infinity())));
    }
  }
  CHECK(std::signbit(round_to(NumberFormat::Fp16, -0x1p-30)));  // underflow keeps the sign
  CHECK(round_to(NumberFormat::Fp16, 0x1p-25) == 0.0);          // half the smallest subnormal: tie to 0
  CHECK(round_to(NumberFormat::Fp16, std::nextafter(0x1p-25, 1.0)) == 0x1p-24);
}

TEST_CASE("round_to fp32 agrees with the C++ double-to-float conversion", "[unit]") {
  std::uint64_t s = 88172645463325252ull;  // xorshift64: deterministic doubles of every magnitude
  for (int i = 0; i < 200000; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    // Exponents around float's range (subnormals, overflow) and random significands.
    const double v = std::ldexp(static_cast<double>(s >> 11) * 0x1p-53 + 0.5, static_cast<int>(s % 300) - 160) *
                     ((s >> 5) & 1 ? -1 : 1);
    const double expected = static_cast<double>(static_cast<float>(v));
    REQUIRE(round_to(NumberFormat::Fp32, v) == expected);
  }
}

TEST_CASE("number format names and PE numerics pairs", "[unit]") {
  CHECK(parse_number_format("BF16", "x") == NumberFormat::Bf16);
  CHECK(parse_number_format("e4m3", "x") == NumberFormat::Fp8E4M3);
  const std::string unknown = saffire::test::error_of([] { parse_number_format("fp8", "arch.operand_type"); });
  CHECK_THAT(unknown, Catch::Contains("arch.operand_type: unknown number format 'fp8'"));
  const auto pair_error = [](NumberFormat op, NumberFormat acc) {
    return saffire::test::error_of([&] { PeNumerics{op, acc, true, acc}.validate("arch."); });
  };
  CHECK(pair_error(NumberFormat::Bf16, NumberFormat::Fp32).empty());
  CHECK(pair_error(NumberFormat::Fp8E4M3, NumberFormat::Bf16).empty());
  CHECK(pair_error(NumberFormat::Int16, NumberFormat::Int32).empty());
  CHECK_THAT(pair_error(NumberFormat::Fp8E4M3, NumberFormat::Int32), Catch::Contains("arch.accumulator_type"));
  CHECK_THAT(pair_error(NumberFormat::Fp16, NumberFormat::Int32), Catch::Contains("arch.accumulator_type"));
  CHECK_THAT(pair_error(NumberFormat::Int8, NumberFormat::Fp32), Catch::Contains("arch.accumulator_type"));
  CHECK_THAT(pair_error(NumberFormat::Fp32, NumberFormat::Fp32), Catch::Contains("arch.operand_type"));
  CHECK_THAT(pair_error(NumberFormat::Fp16, NumberFormat::Fp8E5M2), Catch::Contains("arch.accumulator_type"));
  const std::string ob = saffire::test::error_of(
      [] { PeNumerics{NumberFormat::Bf16, NumberFormat::Fp32, true, NumberFormat::Int32}.validate("arch."); });
  CHECK_THAT(ob, Catch::Contains("arch.output_buffer_type"));
}
