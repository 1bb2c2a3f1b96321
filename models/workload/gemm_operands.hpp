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

/// Uniform INT8 operands over the full range [-128, 127].
GemmOperands random_gemm_operands(const arch::GemmShape& shape, std::uint64_t seed);

}  // namespace saffire::models
