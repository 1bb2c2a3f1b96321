// The fast carry-chain finder and error rule against the bit-by-bit ripple reference: exhaustively
// for small widths, on millions of random and adversarial 32-bit pairs.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <vector>

#include "arch/timing/carry_chain.hpp"

using namespace saffire::arch;

namespace {

// The rule stated in carry_chain.hpp, written from the reference chain.
bool rule_fails(const CarryChain& ref, int safe, int width) { return ref.length > safe && ref.end < width; }

// Checks one pair of width W against the reference for every safe length 0..W; returns the number of
// mismatches (so exhaustive loops do not drown Catch in assertions).
template <int W>
std::int64_t mismatches(std::uint32_t a, std::uint32_t b) {
  constexpr std::uint32_t mask = W == 32 ? 0xFFFFFFFFu : ((1u << W) - 1u);
  std::int64_t bad = 0;
  const CarryChain ref = longest_carry_chain_ripple(a, b, W);
  const CarryChain fast = longest_carry_chain<W>(a, b);
  if (!(fast == ref)) ++bad;
  const std::uint32_t sum = (a + b) & mask;
  for (int safe = 0; safe <= W; ++safe) {
    const bool fails = rule_fails(ref, safe, W);
    if ((timing_error_flag<W>(a, b, static_cast<std::uint32_t>(safe)) != 0) != fails) ++bad;
    int j = -2;
    const std::uint32_t latched = latched_sum<W>(a, b, safe, &j);
    if (fails) {
      // Exactly 2^j too small, and the same as a ripple adder that never sees the carry into bit j.
      if (j != ref.end || latched != ((sum - (1u << j)) & mask) || latched != ripple_sum_dropping_carry(a, b, j, W))
        ++bad;
    } else if (j != -1 || latched != sum) {
      ++bad;
    }
  }
  return bad;
}

template <int W>
std::int64_t exhaustive_mismatches() {
  std::int64_t bad = 0;
  for (std::uint32_t a = 0; a < (1u << W); ++a)
    for (std::uint32_t b = 0; b < (1u << W); ++b) bad += mismatches<W>(a, b);
  return bad;
}

}  // namespace

TEST_CASE("Ripple reference: hand-worked chains", "[unit][timing]") {
  // 0b0111 + 0b0001: generated at bit 0, travels through bits 1, 2, ends at bit 3 -> L = 3, j = 3.
  CHECK(longest_carry_chain_ripple(0b0111, 0b0001, 8) == CarryChain{3, 3});
  // No generate bit, no chain.
  CHECK(longest_carry_chain_ripple(0b1010, 0b0101, 8) == CarryChain{0, 0});
  // 0b11 + 0b11: two chains of length 1 (bit 0 -> 1, bit 1 -> 2); the more significant one is taken.
  // (In the carry-in vector c = 0b110 they look like one run of length 2: runs of c are not chains.)
  CHECK(longest_carry_chain_ripple(0b11, 0b11, 8) == CarryChain{1, 2});
  // -1 + 1 over 32 bits: generated at bit 0, ripples to the carry-out: L = 32, j = 32.
  CHECK(longest_carry_chain_ripple(0xFFFFFFFFu, 1u, 32) == CarryChain{32, 32});
  // A positive sum plus a small negative product: the carry ripples through the sign extension.
  // 1000 + (-3): 1000 = 0b1111101000, -3 = ...11111101. Bits 3, 5..9 generate; the carry generated at
  // the top bit of 1000 (bit 9) ripples through the 22 sign bits 10..31 to the carry-out: L = 23.
  CHECK(longest_carry_chain_ripple(1000u, static_cast<std::uint32_t>(-3), 32) == CarryChain{23, 32});
  // Dropping the carry into bit 3 of 0b0111 + 0b0001 leaves 0b0000 | bit3 cleared = 8 - 8 = 0.
  CHECK(ripple_sum_dropping_carry(0b0111, 0b0001, 3, 8) == 0u);
  CHECK(ripple_sum_dropping_carry(0b0111, 0b0001, -1, 8) == 8u);
}

TEST_CASE("Fast chain finder and error rule equal the ripple reference, exhaustively for W = 4, 8, 11",
          "[unit][timing]") {
  CHECK(exhaustive_mismatches<4>() == 0);
  CHECK(exhaustive_mismatches<8>() == 0);
  CHECK(exhaustive_mismatches<11>() == 0);  // 4M pairs x 12 safe lengths
}

TEST_CASE("Fast chain finder equals the ripple reference on millions of 32-bit pairs", "[unit][timing]") {
  std::mt19937_64 rng(20240611);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  // Adversarial: every all-propagate pattern with a generate below it (chains of every length and
  // end), x + (-x), sign extension of small negatives, alternating bits, extremes.
  for (int lo = 0; lo < 32; ++lo) {
    for (int hi = lo; hi < 32; ++hi) {
      const std::uint32_t run = static_cast<std::uint32_t>((((std::uint64_t{1} << (hi - lo + 1)) - 1)) << lo);
      const std::uint32_t gen = lo > 0 ? (1u << (lo - 1)) : 0u;
      pairs.emplace_back(run | gen, gen);  // generate at lo-1, propagate lo..hi
      pairs.emplace_back(run, 1u << lo);   // carry generated at lo, ripples to hi+1
      pairs.emplace_back(~run, 1u << lo);
      pairs.emplace_back(run | gen | (1u << ((hi + 1) % 32)), gen | (1u << ((hi + 1) % 32)));  // ends on a generate
    }
  }
  for (std::int64_t x = -70000; x <= 70000; x += 7) {
    pairs.emplace_back(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(-x));
    pairs.emplace_back(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(-(x % 16129) - 1));
  }
  for (std::uint32_t a : {0u, 1u, 0x55555555u, 0xAAAAAAAAu, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0xFFFF0000u})
    for (std::uint32_t b : {0u, 1u, 0x55555555u, 0xAAAAAAAAu, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0x0000FFFFu})
      pairs.emplace_back(a, b);
  // Random: uniform words, and running-sum-like pairs (acc up to 2^24, INT8 products).
  std::uniform_int_distribution<int> i8(-128, 127);
  std::uniform_int_distribution<std::int32_t> acc24(-(1 << 24), 1 << 24);
  for (int i = 0; i < 1'500'000; ++i) {
    pairs.emplace_back(static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()));
    pairs.emplace_back(static_cast<std::uint32_t>(acc24(rng)), static_cast<std::uint32_t>(i8(rng) * i8(rng)));
  }
  // Sparse random words (long runs of zeros and ones).
  for (int i = 0; i < 500'000; ++i) {
    const std::uint64_t m = rng();
    pairs.emplace_back(static_cast<std::uint32_t>(rng() & rng() & rng()),
                       static_cast<std::uint32_t>(m & (m >> 7) & (m >> 13)));
    pairs.emplace_back(static_cast<std::uint32_t>(rng() | rng() | rng()), static_cast<std::uint32_t>(rng() & rng()));
  }
  std::int64_t chain_bad = 0, rule_bad = 0, value_bad = 0, checked = 0;
  std::uniform_int_distribution<int> safe_dist(0, 32);
  for (const auto& [a, b] : pairs) {
    const CarryChain ref = longest_carry_chain_ripple(a, b, 32);
    chain_bad += !(longest_carry_chain<32>(a, b) == ref);
    for (int safe : {0, ref.length - 1, ref.length, safe_dist(rng)}) {
      if (safe < 0) continue;
      const bool fails = rule_fails(ref, safe, 32);
      rule_bad += (timing_error_flag<32>(a, b, static_cast<std::uint32_t>(safe)) != 0) != fails;
      int j = -2;
      const std::uint32_t latched = latched_sum<32>(a, b, safe, &j);
      const std::uint32_t expect = fails ? a + b - (1u << ref.end) : a + b;
      value_bad += latched != expect || j != (fails ? ref.end : -1);
      if (fails) value_bad += latched != ripple_sum_dropping_carry(a, b, j, 32);
      ++checked;
    }
  }
  INFO("pairs " << pairs.size() << ", rule checks " << checked);
  CHECK(pairs.size() > 4'000'000);
  CHECK(chain_bad == 0);
  CHECK(rule_bad == 0);
  CHECK(value_bad == 0);
}

TEST_CASE("Chains that end at the carry-out never fail; inner chains fail by exactly 2^j", "[unit][timing]") {
  // -1 + 1: L = 32 ending at bit 32 -> the carry-out is discarded anyway, the sum 0 is correct.
  for (int safe = 0; safe <= 32; ++safe) CHECK(latched_sum<32>(0xFFFFFFFFu, 1u, safe) == 0u);
  // 0x7FFFFFFF + 1: generated at bit 0, ends at bit 31 (L = 31). With safe = 30 the carry into bit 31
  // is missed: 0x80000000 - 2^31 = 0.
  int j = -2;
  CHECK(latched_sum<32>(0x7FFFFFFFu, 1u, 30, &j) == 0u);
  CHECK(j == 31);
  CHECK(latched_sum<32>(0x7FFFFFFFu, 1u, 31, &j) == 0x80000000u);
  CHECK(j == -1);
  // 0xFFFF + 1 (L = 16, j = 16) with safe = 15: 0x10000 - 0x10000 = 0.
  CHECK(latched_sum<32>(0xFFFFu, 1u, 15, &j) == 0u);
  CHECK(j == 16);
}
