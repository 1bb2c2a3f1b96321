#include "models/workload/gemm_operands.hpp"

#include <Random123/philox.h>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"

namespace saffire::models {
namespace {

void fill_random(std::vector<std::int8_t>& out, std::uint64_t seed, std::uint32_t matrix) {
  r123::Philox4x32 rng;
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const std::size_t n = out.size();
  for (std::size_t block = 0; block * 16 < n; ++block) {
    const r123::Philox4x32::ctr_type ctr = {
        {static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), matrix, 0x5AFF14E}};
    const r123::Philox4x32::ctr_type bits = rng(ctr, key);
    for (std::size_t b = 0; b < 16 && block * 16 + b < n; ++b)
      out[block * 16 + b] = static_cast<std::int8_t>(static_cast<std::uint8_t>(bits.v[b / 4] >> (8 * (b % 4))));
  }
}

}  // namespace

GemmOperands random_gemm_operands(const arch::GemmShape& shape, std::uint64_t seed) {
  shape.validate();
  GemmOperands ops;
  ops.shape = shape;
  const std::int64_t x_bytes = arch::checked_mul(shape.m, shape.k, "X of the GEMM (M x K bytes)");
  const std::int64_t w_bytes = arch::checked_mul(shape.k, shape.n, "W of the GEMM (K x N bytes)");
  arch::check_memory(arch::checked_add(x_bytes, w_bytes, "GEMM operands (bytes)"), "the GEMM operands X and W");
  ops.x.resize(static_cast<std::size_t>(x_bytes));
  ops.w.resize(static_cast<std::size_t>(w_bytes));
  fill_random(ops.x, seed, 0);
  fill_random(ops.w, seed, 1);
  return ops;
}

std::int64_t gemm_buffer_bytes(const arch::GemmShape& shape, bool with_reference) {
  const char* what = "memory of the GEMM (bytes)";
  const std::int64_t operands = arch::checked_add(arch::checked_mul(shape.m, shape.k, what),
                                                  arch::checked_mul(shape.k, shape.n, what), what);
  return arch::checked_add(operands, arch::checked_mul(shape.m, shape.n, with_reference ? 8 : 4, what), what);
}

}  // namespace saffire::models
