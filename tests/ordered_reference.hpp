#pragma once
// Test fixtures for floating-point GEMMs: random operands of a format (specials on request) and the
// dataflow's accumulation order written out with MPFR (mpfr_reference.hpp), independently of
// models/gemm/ordered_gemm.cpp.
#include <cmath>
#include <cstdint>
#include <vector>

#include "arch/numerics/number_format.hpp"
#include "arch/numerics/pe_numerics.hpp"
#include "mpfr_reference.hpp"

namespace saffire::test {

/// Values of `f` from a seeded xorshift: random bit patterns (subnormals, infinities, NaN) when
/// `specials`, else finite values of modest exponent (products and sums stay mostly in range).
inline std::vector<double> random_values(arch::NumberFormat f, std::size_t count, std::uint64_t seed, bool specials) {
  std::vector<double> v(count);
  std::uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
  const arch::FormatInfo& i = arch::info(f);
  for (double& x : v) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    const auto bits = static_cast<std::uint32_t>(s >> 20);
    if (specials) {
      x = arch::decode(f, bits);
    } else {
      const double mantissa = 1.0 + static_cast<double>(bits & 0xffu) / 256.0;
      const int exponent = static_cast<int>((bits >> 8) % 8) - 4;
      x = arch::round_to(f, std::ldexp(mantissa, exponent) * ((bits >> 12) & 1u ? -1 : 1));
      (void)i;
    }
  }
  return v;
}

/// Y (m x n) in the order of the dataflow: OS one chain over k, then the output buffer adds it to +0;
/// WS chains of `fold_rows` from +0 down the column (a short last fold adds 0 x 0 once more), each
/// added into the output buffer in fold order.
inline std::vector<double> mpfr_ordered_gemm(const std::vector<double>& x, const std::vector<double>& w, std::int64_t m,
                                             std::int64_t n, std::int64_t k, const arch::PeNumerics& nm, bool ws,
                                             std::int64_t fold_rows) {
  MpfrReference ref;
  std::vector<double> y(static_cast<std::size_t>(m * n));
  const std::int64_t len = ws ? fold_rows : k;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double out = 0.0;
      for (std::int64_t k0 = 0; k0 < k; k0 += len) {
        double p = 0.0;
        const std::int64_t k1 = std::min(k, k0 + len);
        for (std::int64_t kk = k0; kk < k1; ++kk)
          p = ref.mac(nm.accumulator, nm.fma, p, x[static_cast<std::size_t>(i * k + kk)],
                      w[static_cast<std::size_t>(kk * n + j)]);
        if (ws && k1 - k0 < len) p = ref.mac(nm.accumulator, nm.fma, p, 0.0, 0.0);
        out = ref.add(nm.output_buffer, out, p);
      }
      y[static_cast<std::size_t>(i * n + j)] = out;
    }
  return y;
}

}  // namespace saffire::test
