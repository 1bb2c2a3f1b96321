#include "arch/timing/dot_product_steps.hpp"

#include <Random123/philox.h>

#include <stdexcept>

namespace saffire::arch {

void random_dot_product_steps(std::uint64_t seed, std::uint32_t stream0, std::uint32_t stream1, std::uint32_t stream2,
                              std::span<std::uint32_t> acc, std::span<std::int32_t> addend) {
  if (acc.size() != addend.size()) throw std::invalid_argument("random_dot_product_steps: spans differ in length");
  r123::Philox4x32 rng;
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const std::size_t k = acc.size();
  std::uint32_t sum = 0;
  for (std::size_t block = 0; block * 8 < k; ++block) {
    const r123::Philox4x32::ctr_type ctr = {{stream0, stream1, stream2, static_cast<std::uint32_t>(block)}};
    const r123::Philox4x32::ctr_type bits = rng(ctr, key);
    for (std::size_t t = 0; t < 8 && block * 8 + t < k; ++t) {
      const std::uint32_t word = bits.v[t / 2];
      const int shift = static_cast<int>(t % 2) * 16;  // x in the low byte, w in the high byte of a half-word
      const auto x = static_cast<std::int8_t>(static_cast<std::uint8_t>(word >> shift));
      const auto w = static_cast<std::int8_t>(static_cast<std::uint8_t>(word >> (shift + 8)));
      const std::int32_t product = static_cast<std::int32_t>(x) * static_cast<std::int32_t>(w);
      const std::size_t i = block * 8 + t;
      acc[i] = sum;
      addend[i] = product;
      sum += static_cast<std::uint32_t>(product);
    }
  }
}

}  // namespace saffire::arch
