#include "arch/checked_size.hpp"

#include <string>

#include "arch/config_error.hpp"

namespace saffire::arch {
namespace {

[[noreturn]] void overflow(std::string_view what, std::int64_t a, char op, std::int64_t b) {
  throw ConfigError(std::string(what) + ": " + std::to_string(a) + " " + op + " " + std::to_string(b) +
                    " does not fit in a 64-bit integer (too large to model)");
}

}  // namespace

std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) overflow(what, a, 'x', b);
  return out;
}

std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::int64_t c, std::string_view what) {
  return checked_mul(checked_mul(a, b, what), c, what);
}

std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) overflow(what, a, '+', b);
  return out;
}

}  // namespace saffire::arch
