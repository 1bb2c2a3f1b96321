#pragma once
// GemmShape: Y[M x N] = X[M x K] * W[K x N]; X = activations streamed in, W = weights.
#include <cstdint>

#include "arch/checked_size.hpp"

namespace saffire::arch {

struct GemmShape {
  std::int64_t m = 0;  // rows of X and Y (tokens)
  std::int64_t n = 0;  // columns of W and Y (output features)
  std::int64_t k = 0;  // reduction dimension
  /// M * N * K; ConfigError when it does not fit in int64.
  std::int64_t macs() const { return checked_mul(m, n, k, "MACs (M x N x K)"); }
  /// Throws ConfigError unless every dimension is at least 1.
  void validate() const;
};

}  // namespace saffire::arch
