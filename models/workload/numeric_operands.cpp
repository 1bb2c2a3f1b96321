#include "models/workload/numeric_operands.hpp"

#include <Random123/philox.h>

#include <cmath>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"

namespace saffire::models {
namespace {

double value_of(arch::NumberFormat f, std::uint32_t bits) {
  const arch::FormatInfo& i = arch::info(f);
  if (!i.is_float) return arch::decode(f, bits);
  const double significand = 1.0 + static_cast<double>(bits & 0xffffu) / 65536.0;
  const int exponent = static_cast<int>((bits >> 16) % 6) - 4;
  const double sign = (bits >> 31) ? -1.0 : 1.0;
  return arch::round_to(f, sign * std::ldexp(significand, exponent));
}

void fill_random(std::vector<double>& out, arch::NumberFormat f, std::uint64_t seed, std::uint32_t matrix) {
  r123::Philox4x32 rng;
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  for (std::size_t block = 0; block * 4 < out.size(); ++block) {
    const r123::Philox4x32::ctr_type ctr = {
        {static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), matrix, 0xF10A7u}};
    const r123::Philox4x32::ctr_type bits = rng(ctr, key);
    for (std::size_t b = 0; b < 4 && block * 4 + b < out.size(); ++b) out[block * 4 + b] = value_of(f, bits.v[b]);
  }
}

}  // namespace

NumericOperands random_numeric_operands(const arch::GemmShape& shape, arch::NumberFormat format, std::uint64_t seed) {
  shape.validate();
  NumericOperands ops;
  ops.shape = shape;
  const std::int64_t x_count = arch::checked_mul(shape.m, shape.k, "X of the GEMM (M x K values)");
  const std::int64_t w_count = arch::checked_mul(shape.k, shape.n, "W of the GEMM (K x N values)");
  arch::check_memory(arch::checked_mul(arch::checked_add(x_count, w_count, "GEMM operands (values)"), 8,
                                       "GEMM operands (bytes)"),
                     "the GEMM operands X and W");
  ops.x.resize(static_cast<std::size_t>(x_count));
  ops.w.resize(static_cast<std::size_t>(w_count));
  fill_random(ops.x, format, seed, 0);
  fill_random(ops.w, format, seed, 1);
  return ops;
}

std::int64_t numeric_gemm_buffer_bytes(const arch::GemmShape& shape, bool with_reference) {
  const std::int64_t xw = arch::checked_add(arch::checked_mul(shape.m, shape.k, "X of the GEMM (M x K values)"),
                                            arch::checked_mul(shape.k, shape.n, "W of the GEMM (K x N values)"),
                                            "GEMM operands (values)");
  const std::int64_t y = arch::checked_mul(arch::checked_mul(shape.m, shape.n, "Y of the GEMM (M x N values)"),
                                           with_reference ? 2 : 1, "outputs and reference (values)");
  return arch::checked_mul(arch::checked_add(xw, y, "GEMM buffers (values)"), 8, "GEMM buffers (bytes)");
}

}  // namespace saffire::models
