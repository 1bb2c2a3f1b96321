#pragma once
// Operand statistics of real accumulations: the (acc, addend) pairs a PE sees while it reduces one
// random INT8 dot product. Used by `saffire voltage-curve`, the timing benchmark and the tests.
#include <cstdint>
#include <span>

namespace saffire::arch {

/// Fills the K = acc.size() steps of one dot product sum_i x_i * w_i with x_i, w_i uniform in
/// [-128, 127]: addend[i] = x_i * w_i (int8 * int8, sign-extended) and acc[i] = sum_{t < i} addend[t]
/// (wrap-around INT32, as uint32 bits; acc[0] = 0). A pure function of (seed, stream): the bytes come
/// from Philox4x32-10 keyed by `seed` with counter (stream0, stream1, stream2, i / 8).
void random_dot_product_steps(std::uint64_t seed, std::uint32_t stream0, std::uint32_t stream1, std::uint32_t stream2,
                              std::span<std::uint32_t> acc, std::span<std::int32_t> addend);

}  // namespace saffire::arch
