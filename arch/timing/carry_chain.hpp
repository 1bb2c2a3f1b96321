#pragma once
// Sensitized carry chains of a W-bit two's-complement adder (W = 32 for the PE accumulator), the
// timing-error rule built on them, and a bit-by-bit ripple reference that the fast code is tested
// against.
//
// Definitions (bit k of a and b, 0 = least significant):
//   generate  g_k = a_k & b_k,   propagate p_k = a_k ^ b_k,
//   carry-in  c_0 = 0,  c_{k+1} = g_k | (p_k & c_k)   (c_W is the carry-out).
// A carry *chain* starts at a generate bit i (g_i = 1) and ripples through the following consecutive
// bits that propagate it (p_k = 1, k = i+1 .. j-1); it ends at bit j, the first bit above i with
// p_j = 0, or at j = W (the carry-out). Its length is the number of bit positions the carry
// travels, L = j - i (1..W); the carry into bit j is the last of the chain to settle. An addition
// with no generate bit has no chain (L = 0). The *longest* chain of an addition is the one with the
// largest L; among equally long chains the most significant one (largest j) is taken.
//
// Timing-error rule (the single rule of saffire's timing model; see arch/timing/README.md):
//   let S = max_safe_chain of the PE at the operating voltage (0..W). If the longest chain of
//   acc + addend has L > S, the carry into its end bit j arrives after the clock edge and the
//   accumulator latches the correct sum *without* that carry:
//       latched = (a + b - 2^j) mod 2^W          (j < W)
//   i.e. the result is exactly 2^j too small (sum bit j reads p_j ^ 0 = 0 instead of 1; since
//   p_j = 0 nothing above bit j depends on that carry). If j == W the missing carry is the carry-out,
//   which a wrap-around accumulator discards anyway: no error. Only the longest chain is judged;
//   shorter chains that are also longer than S do not add further errors (one error per accumulate
//   at most).
//
// Fast method (branch-free, auto-vectorizable): c = (a + b) ^ a ^ b is the carry-in vector and
// q = c & p marks the bits a carry passes *through*. Every maximal run of ones in q is preceded by the
// generate bit that starts its chain, so L = 1 + (longest run of ones in q) when g != 0. The longest
// run is found by binary search over the window masks Win_n(q) = AND_{t<n} (q >> t) (bit k set iff
// q[k .. k+n-1] are all ones), built from Win_1, Win_2, Win_4, Win_8, Win_16 with
// Win_{m+n} = Win_m & (Win_n >> m). (Run lengths of ones in c itself are not chains: a chain that ends
// on a generate bit merges with the next one in c.)
#include <bit>
#include <cstdint>

namespace saffire::arch {

/// The longest sensitized carry chain of one addition.
struct CarryChain {
  int length = 0;  // L, bit positions travelled: 0 (no carry) .. W
  int end = 0;     // j, the bit whose carry-in settles last: length > 0 ? 1 .. W : 0
  bool operator==(const CarryChain&) const = default;
};

/// Bit-by-bit ripple simulation of a W-bit adder (1 <= W <= 32): the reference for the fast code.
/// Operands are taken modulo 2^W.
CarryChain longest_carry_chain_ripple(std::uint32_t a, std::uint32_t b, int width = 32);

/// Reference for the latched value: ripple-adds a + b (W bits) with the carry into bit `drop_bit`
/// forced to 0 (drop_bit = -1: nothing dropped). Used to check the 2^j rule at the bit level.
std::uint32_t ripple_sum_dropping_carry(std::uint32_t a, std::uint32_t b, int drop_bit, int width = 32);

namespace detail {

template <int W>
inline constexpr std::uint32_t kMask = W == 32 ? 0xFFFFFFFFu : ((1u << W) - 1u);

/// Everything the error rule needs about one W-bit addition, computed without branches (ternaries
/// compile to selects), so that loops over it vectorize.
struct ChainScan {
  std::uint32_t q;       // bits a carry passes through (c & p)
  std::uint32_t g;       // generate bits
  std::uint32_t r;       // Win_{run}(q): start bits of the longest runs of q (all ones when run == 0)
  std::uint32_t run;     // longest run of ones in q (0 .. W-1)
  std::uint32_t length;  // longest chain L = run + (g != 0)
  std::uint32_t top;     // 1 iff the longest chain (ties: most significant) ends at bit W
};

template <int W>
inline ChainScan scan_chains(std::uint32_t a, std::uint32_t b) {
  static_assert(W >= 2 && W <= 32);
  constexpr std::uint32_t mask = kMask<W>;
  a &= mask;
  b &= mask;
  const std::uint32_t s = a + b;  // W < 32: bit W is the carry-out
  const std::uint32_t g = a & b;
  const std::uint32_t p = a ^ b;
  const std::uint32_t c = (s ^ p) & mask;  // carry into bits 0 .. W-1 (c_0 = 0)
  std::uint32_t cout;
  if constexpr (W == 32)
    cout = s < a ? 1u : 0u;
  else
    cout = (s >> W) & 1u;
  const std::uint32_t q = c & p;
  // Window masks of q for lengths 1, 2, 4, 8, 16 (q_0 = 0, so no run is longer than W - 1 <= 31).
  const std::uint32_t w1 = q;
  const std::uint32_t w2 = w1 & (w1 >> 1);
  const std::uint32_t w4 = w2 & (w2 >> 2);
  const std::uint32_t w8 = w4 & (w4 >> 4);
  const std::uint32_t w16 = w8 & (w8 >> 8);
  // Binary search for the longest run: keep r = Win_run(q) and try run + 16, + 8, + 4, + 2, + 1.
  // clang-format off
  std::uint32_t r = 0xFFFFFFFFu, run = 0, t;
  t = r & (w16 >> run); r = t != 0 ? t : r; run += t != 0 ? 16u : 0u;
  t = r & (w8 >> run);  r = t != 0 ? t : r; run += t != 0 ? 8u : 0u;
  t = r & (w4 >> run);  r = t != 0 ? t : r; run += t != 0 ? 4u : 0u;
  t = r & (w2 >> run);  r = t != 0 ? t : r; run += t != 0 ? 2u : 0u;
  t = r & (w1 >> run);  r = t != 0 ? t : r; run += t != 0 ? 1u : 0u;
  // clang-format on
  const std::uint32_t length = run + (g != 0 ? 1u : 0u);
  // The top chain (ending at the carry-out) is a longest one iff a run of length `run` starts at bit
  // W - run; for run == 0 every chain has length 1 and the top one exists iff there is a carry-out.
  const std::uint32_t sh = static_cast<std::uint32_t>(W) - run - (run == 0 ? 1u : 0u);  // <= 31
  const std::uint32_t top = run == 0 ? cout : ((r >> sh) & 1u);
  return {q, g, r, run, length, top};
}

/// End bit j of the longest chain when it does not end at bit W (precondition: length > 0, !top).
inline int inner_end_bit(const ChainScan& s) {
  if (s.run == 0) return std::bit_width(s.g);                // all chains have length 1: j = highest generate bit + 1
  return std::bit_width(s.r) - 1 + static_cast<int>(s.run);  // highest start of a longest run + run
}

}  // namespace detail

/// Fast longest-chain finder for W-bit operands (operands taken modulo 2^W); equals the ripple
/// reference for every input (tested exhaustively for small W, on random and adversarial pairs for 32).
template <int W = 32>
inline CarryChain longest_carry_chain(std::uint32_t a, std::uint32_t b) {
  const detail::ChainScan s = detail::scan_chains<W>(a, b);
  if (s.length == 0) return {};
  if (s.top) return {static_cast<int>(s.length), W};
  return {static_cast<int>(s.length), detail::inner_end_bit(s)};
}

/// 1 iff adding a + b on a PE whose longest safe chain is `safe` latches a wrong value (branch-free).
template <int W = 32>
inline std::uint32_t timing_error_flag(std::uint32_t a, std::uint32_t b, std::uint32_t safe) {
  const detail::ChainScan s = detail::scan_chains<W>(a, b);
  return (s.length > safe ? 1u : 0u) & (s.top ^ 1u);
}

/// The value a W-bit wrap-around accumulator latches for a + b on a PE with longest safe chain `safe`
/// (the rule above); `error_bit` (optional) receives j, or -1 when the sum is correct.
template <int W = 32>
inline std::uint32_t latched_sum(std::uint32_t a, std::uint32_t b, int safe, int* error_bit = nullptr) {
  const std::uint32_t sum = (a + b) & detail::kMask<W>;
  {
    // Scalar fast path: a chain longer than `safe` passes through `safe` bits of q = c & p, so
    // popcount(q) < safe rules an error out (the common case) without the full scan.
    const std::uint32_t p = (a ^ b) & detail::kMask<W>;
    const std::uint32_t q = (sum ^ p) & p;
    if (std::popcount(q) < safe) {
      if (error_bit) *error_bit = -1;
      return sum;
    }
  }
  const detail::ChainScan s = detail::scan_chains<W>(a, b);
  if (s.length <= static_cast<std::uint32_t>(safe) || s.top) {
    if (error_bit) *error_bit = -1;
    return sum;
  }
  const int j = detail::inner_end_bit(s);
  if (error_bit) *error_bit = j;
  return (sum - (1u << j)) & detail::kMask<W>;
}

}  // namespace saffire::arch
