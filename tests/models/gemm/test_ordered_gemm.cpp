// The ordered GEMM (vectorized and scalar paths, 1 and 2 threads) equals the dataflow's order written
// out with MPFR, for every supported format pair, both fma modes, WS and OS, random shapes with
// subnormals, infinities, NaN and overflow; and a hand-worked case where the order changes the result.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "models/gemm/ordered_gemm.hpp"
#include "ordered_reference.hpp"

using namespace saffire;
using arch::NumberFormat;

namespace {

struct Pair {
  NumberFormat operand, accumulator, buffer;
};
constexpr Pair kPairs[] = {
    {NumberFormat::Bf16, NumberFormat::Fp32, NumberFormat::Fp32},
    {NumberFormat::Fp16, NumberFormat::Fp32, NumberFormat::Fp32},
    {NumberFormat::Fp8E4M3, NumberFormat::Fp32, NumberFormat::Bf16},
    {NumberFormat::Fp8E5M2, NumberFormat::Fp16, NumberFormat::Fp16},
    {NumberFormat::Fp16, NumberFormat::Fp16, NumberFormat::Fp32},
    {NumberFormat::Bf16, NumberFormat::Bf16, NumberFormat::Bf16},
    {NumberFormat::Fp8E4M3, NumberFormat::Bf16, NumberFormat::Fp32},
};

std::size_t mismatches(const std::vector<double>& a, const std::vector<double>& b) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.size(); ++i) bad += !models::same_value(a[i], b[i]);
  return bad;
}

}  // namespace

TEST_CASE("ordered GEMM equals the MPFR reference in the dataflow's order", "[unit]") {
  std::uint64_t seed = 1;
  for (const Pair& p : kPairs) {
    for (bool fused : {true, false}) {
      const arch::PeNumerics nm{p.operand, p.accumulator, fused, p.buffer};
      for (bool specials : {false, true}) {
        for (bool ws : {true, false}) {
          ++seed;
          const std::int64_t m = 1 + static_cast<std::int64_t>(seed * 7 % 9), n = 1 + static_cast<std::int64_t>(seed * 13 % 70),
                             k = 1 + static_cast<std::int64_t>(seed * 5 % 23), rows = 1 + static_cast<std::int64_t>(seed % 6);
          const auto x = test::random_values(p.operand, static_cast<std::size_t>(m * k), seed, specials);
          const auto w = test::random_values(p.operand, static_cast<std::size_t>(k * n), seed + 1000, specials);
          const auto want = test::mpfr_ordered_gemm(x, w, m, n, k, nm, ws, rows);
          const models::AccumulationOrder order{ws ? arch::Dataflow::WS : arch::Dataflow::OS, rows};
          INFO(arch::describe(nm) << (ws ? " WS R=" : " OS ") << rows << " m,n,k " << m << "," << n << "," << k
                                  << (specials ? " specials" : ""));
          for (int threads : {1, 2}) {
            std::vector<double> y(static_cast<std::size_t>(m * n), -7.0);
            models::ordered_gemm({m, n, k, x.data(), k, w.data(), n, y.data(), n}, nm, order, threads);
            CHECK(mismatches(y, want) == 0);
          }
          std::vector<double> y(static_cast<std::size_t>(m * n), -7.0);
          models::ordered_gemm_scalar({m, n, k, x.data(), k, w.data(), n, y.data(), n}, nm, order);
          CHECK(mismatches(y, want) == 0);
        }
      }
    }
  }
}

TEST_CASE("the accumulation order changes an FP16 sum (worked by hand)", "[unit]") {
  // x = [2048, 1, 1, 1, 1], w = 1: FP16 spacing is 2 from 2048 to 4096, ties to even.
  // OS: 2048 + 1 = 2049 -> 2048 four times: 2048.
  // WS, R = 2: folds {2048, 1} -> 2048, {1, 1} -> 2, {1, pad 0} -> 1; buffer 2048 + 2 = 2050, + 1 = 2051 -> 2052.
  const std::vector<double> x{2048, 1, 1, 1, 1}, w{1, 1, 1, 1, 1};
  const arch::PeNumerics nm{NumberFormat::Fp16, NumberFormat::Fp16, true, NumberFormat::Fp16};
  double os = 0, ws = 0;
  models::ordered_gemm({1, 1, 5, x.data(), 5, w.data(), 1, &os, 1}, nm, {arch::Dataflow::OS, 0});
  models::ordered_gemm({1, 1, 5, x.data(), 5, w.data(), 1, &ws, 1}, nm, {arch::Dataflow::WS, 2});
  CHECK(os == 2048.0);
  CHECK(ws == 2052.0);
}
