#pragma once
// Huang-Abraham checksums over INT32 wrap-around arithmetic (mod 2^32): the identity
// e^T (X W) == (e^T X) W holds exactly, so any single corrupted output word changes a checksum.
#include <cstdint>
#include <vector>

namespace saffire::abft {

/// Column sums e^T Y of a row-major (m, n) INT32 matrix, wrap-around.
std::vector<std::int32_t> column_checksums(const std::int32_t* y, std::int64_t m, std::int64_t n, std::int64_t ldy);

/// Row sums Y e of a row-major (m, n) INT32 matrix, wrap-around.
std::vector<std::int32_t> row_checksums(const std::int32_t* y, std::int64_t m, std::int64_t n, std::int64_t ldy);

/// Predicted column checksums e^T X W from the operands: (e^T X) W, computed without forming Y.
/// X: (m, k) int8 row-major; W: (k, n) int8 row-major.
std::vector<std::int32_t> predicted_column_checksums(const std::int8_t* x, std::int64_t ldx, const std::int8_t* w,
                                                     std::int64_t ldw, std::int64_t m, std::int64_t n, std::int64_t k);

}  // namespace saffire::abft
