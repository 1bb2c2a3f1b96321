#include "abft/checksum.hpp"

#include <cstddef>

namespace saffire::abft {
namespace {
// Wrap-around add: unsigned arithmetic is defined modulo 2^32, signed overflow is not.
inline std::int32_t wrap_add(std::int32_t a, std::int64_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
}  // namespace

std::vector<std::int32_t> column_checksums(const std::int32_t* y, std::int64_t m, std::int64_t n, std::int64_t ldy) {
  std::vector<std::int32_t> sums(static_cast<std::size_t>(n), 0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) sums[static_cast<std::size_t>(j)] = wrap_add(sums[static_cast<std::size_t>(j)], y[i * ldy + j]);
  return sums;
}

std::vector<std::int32_t> row_checksums(const std::int32_t* y, std::int64_t m, std::int64_t n, std::int64_t ldy) {
  std::vector<std::int32_t> sums(static_cast<std::size_t>(m), 0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) sums[static_cast<std::size_t>(i)] = wrap_add(sums[static_cast<std::size_t>(i)], y[i * ldy + j]);
  return sums;
}

std::vector<std::int32_t> predicted_column_checksums(const std::int8_t* x, std::int64_t ldx, const std::int8_t* w,
                                                     std::int64_t ldw, std::int64_t m, std::int64_t n, std::int64_t k) {
  // e^T X: column sums of the activations (what the extra checksum row of an OS array accumulates).
  std::vector<std::int32_t> ex(static_cast<std::size_t>(k), 0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t p = 0; p < k; ++p) ex[static_cast<std::size_t>(p)] = wrap_add(ex[static_cast<std::size_t>(p)], x[i * ldx + p]);
  std::vector<std::int32_t> out(static_cast<std::size_t>(n), 0);
  for (std::int64_t p = 0; p < k; ++p) {
    const std::uint32_t e = static_cast<std::uint32_t>(ex[static_cast<std::size_t>(p)]);
    for (std::int64_t j = 0; j < n; ++j)
      out[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(static_cast<std::uint32_t>(out[static_cast<std::size_t>(j)]) +
                                                               e * static_cast<std::uint32_t>(static_cast<std::int32_t>(w[p * ldw + j])));
  }
  return out;
}

}  // namespace saffire::abft
