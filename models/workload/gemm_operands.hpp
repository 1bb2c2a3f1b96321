#pragma once
// Seeded random INT8 GEMM operands. Counter-based (Philox): element i of a matrix depends only on
// (seed, matrix, i), so operands are the same on every machine, thread count and call order.
#include <cstdint>
#include <vector>

#include "arch/gemm_shape.hpp"

namespace saffire::models {

struct GemmOperands {
  arch::GemmShape shape;
  std::vector<std::int8_t> x;  // (m, k) int8 row-major: activations
  std::vector<std::int8_t> w;  // (k, n) int8 row-major: weights
};

/// Uniform INT8 operands over the full range [-128, 127]. ConfigError (before allocating) when they
/// do not fit in memory (arch/memory_budget.hpp).
GemmOperands random_gemm_operands(const arch::GemmShape& shape, std::uint64_t seed);

/// Bytes a run of `shape` allocates: X (M*K) and W (K*N) INT8, Y (M*N INT32) and, when checked
/// against a reference, its copy of Y; ConfigError when a product does not fit in int64.
std::int64_t gemm_buffer_bytes(const arch::GemmShape& shape, bool with_reference);

}  // namespace saffire::models
