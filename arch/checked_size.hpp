#pragma once
// One rule for every size product (M*N, M*K, folds, cycles, grid points, KV cache, tensor bytes): a
// product or sum that does not fit in int64 is bad input (ConfigError naming what was computed and
// its operands), never a wrapped value.
#include <cstdint>
#include <string_view>

namespace saffire::arch {

/// a * b; ConfigError "<what>: a x b does not fit in a 64-bit integer" when it does not.
std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view what);
/// a * b * c, checked at each step.
std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::int64_t c, std::string_view what);
/// a + b; ConfigError as checked_mul.
std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what);
/// ceil(a / b) for a >= 0, b >= 1, without the overflow of (a + b - 1) / b near INT64_MAX.
constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

}  // namespace saffire::arch
