#pragma once
// Seeded random GEMM operands of any PE number format (values as doubles), counter-based (Philox):
// element i of a matrix depends only on (seed, matrix, i), the same on every machine and thread count.
#include <cstdint>
#include <vector>

#include "arch/gemm_shape.hpp"
#include "arch/numerics/number_format.hpp"

namespace saffire::models {

struct NumericOperands {
  arch::GemmShape shape;
  std::vector<double> x;  // (m, k) row-major: activations, values of the operand format
  std::vector<double> w;  // (k, n) row-major: weights
};

/// Integer formats: uniform over the full range. Floating point: random sign and significand with
/// exponents -4..1 (|v| in [1/16, 4), the scale of normalized activations and weights), rounded to
/// the format. ConfigError (before allocating) when they do not fit in memory.
NumericOperands random_numeric_operands(const arch::GemmShape& shape, arch::NumberFormat format, std::uint64_t seed);

/// Bytes a numeric run of `shape` allocates: X, W and Y (and a reference Y) as doubles.
std::int64_t numeric_gemm_buffer_bytes(const arch::GemmShape& shape, bool with_reference);

}  // namespace saffire::models
