#include "abft/checksum_deviations.hpp"

#include <algorithm>
#include <stdexcept>

#include "abft/checksum.hpp"

namespace saffire::abft {

ChecksumDeviations checksum_deviations(const models::Int8GemmArgs& a, std::int64_t tile_cols, bool columns,
                                       const arch::TimingModel* checker) {
  if (checker && checker->cols() < 2) throw std::invalid_argument("checksum_deviations: the checker needs 2 columns");
  if (a.accumulate) throw std::invalid_argument("checksum_deviations: accumulating GEMMs are not checked");
  if (tile_cols < 1) throw std::invalid_argument("checksum_deviations: tile_cols must be positive");
  ChecksumDeviations d;
  d.rows = a.m;
  d.tile_cols = tile_cols;
  d.tiles = (a.n + tile_cols - 1) / tile_cols;
  d.row.assign(static_cast<std::size_t>(d.tiles * d.rows), 0);
  // The checksum column's weights of every tile: row sums of the weight tile, (tiles, k) row-major
  // (16 bits suffice for C <= 256; kept in 32 so the dot products below vectorize).
  const std::int64_t T = d.tiles, K = a.k;
  std::vector<std::uint32_t> wsum(static_cast<std::size_t>(T * K), 0u);
  for (std::int64_t p = 0; p < K; ++p)
    for (std::int64_t t = 0; t < T; ++t) {
      std::int32_t s = 0;
      for (std::int64_t j = t * tile_cols, j1 = std::min(a.n, j + tile_cols); j < j1; ++j) s += a.w[p * a.ldw + j];
      wsum[static_cast<std::size_t>(t * K + p)] = static_cast<std::uint32_t>(s);
    }
  // Row by row (each row's checks are independent: any thread count gives the same result).
  const auto row_checks = [&](std::int64_t i) {
    const std::int8_t* xi = a.x + i * a.ldx;
    const std::int32_t* yi = a.y + i * a.ldy;
    for (std::int64_t t = 0; t < T; ++t) {
      const std::uint32_t* ws = wsum.data() + t * K;
      const std::int64_t n0 = t * tile_cols, n1 = std::min(a.n, n0 + tile_cols);
      std::uint32_t predicted = 0, actual = 0;
      if (checker) {
        const int unit = static_cast<int>(i % checker->rows());
        for (std::int64_t p = 0; p < K; ++p)
          predicted = checker->accumulate(
              unit, 0, predicted, static_cast<std::int32_t>(static_cast<std::uint32_t>(std::int32_t{xi[p]}) * ws[p]));
        for (std::int64_t j = n0; j < n1; ++j) actual = checker->accumulate(unit, 1, actual, yi[j]);
      } else {
        for (std::int64_t p = 0; p < K; ++p) predicted += static_cast<std::uint32_t>(std::int32_t{xi[p]}) * ws[p];
        for (std::int64_t j = n0; j < n1; ++j) actual += static_cast<std::uint32_t>(yi[j]);
      }
      d.row[static_cast<std::size_t>(t * d.rows + i)] = static_cast<std::int32_t>(actual - predicted);
    }
  };
  // Worth threads only when the checks are large (a model's small GEMMs run them inline).
  if (a.m * K * T >= (std::int64_t{1} << 22)) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < a.m; ++i) row_checks(i);
  } else {
    for (std::int64_t i = 0; i < a.m; ++i) row_checks(i);
  }
  if (columns) {
    const std::vector<std::int32_t> predicted = predicted_column_checksums(a.x, a.ldx, a.w, a.ldw, a.m, a.n, a.k);
    const std::vector<std::int32_t> actual = column_checksums(a.y, a.m, a.n, a.ldy);
    d.col.resize(static_cast<std::size_t>(a.n));
    for (std::size_t j = 0; j < d.col.size(); ++j)
      d.col[j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(actual[j]) - static_cast<std::uint32_t>(predicted[j]));
  }
  return d;
}

}  // namespace saffire::abft
