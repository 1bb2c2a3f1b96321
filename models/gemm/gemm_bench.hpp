#pragma once
// Throughput measurement of one INT8 GEMM kernel (used by `saffire bench` and the kernel tests).
#include <cstdint>

#include "models/gemm/int8_gemm.hpp"

namespace saffire::models {

/// Best GMAC/s (m*n*k multiply-accumulates per ns) of `kernel` on random dense operands
/// (Y = X * W, ld = width): one warm-up call, then repeated calls until `min_seconds` have elapsed
/// (at least one timed call). Throws std::invalid_argument on non-positive sizes.
double measure_int8_gemm_gmacs(const Int8GemmKernel& kernel, std::int64_t m, std::int64_t n, std::int64_t k,
                               int threads, double min_seconds);

}  // namespace saffire::models
