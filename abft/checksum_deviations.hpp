#pragma once
// The checksum deviations the ABFT hardware sees for one GEMM Y (m, n) = X (m, k) W (k, n), with the
// output columns cut into tiles of the array's width C (the folds' column tiles):
//   row checks, one per (tile t, output row i): actual  Y[i, tile] e        (the adder row / e^T Y accumulators)
//                                                predicted X[i, :] (W[:, tile] e)  (the checksum PE column
//                                                fed with the weight tile's row sums)
//   column checks (classic-correct, two-sided hardware), one per output column j:
//                                                actual e^T Y[:, j], predicted (e^T X) W[:, j]
// deviation = actual - predicted, in wrap-around INT32: exactly 0 for a correct output (no false
// positives), and a single wrong word always makes its row and column deviations nonzero.
// WS compares a column tile's row checks once its last reduction fold has drained into the output
// buffer; OS once per fold (its folds are (row tile, column tile) pairs).
#include <cstdint>
#include <vector>

#include "arch/timing/timing_model.hpp"
#include "models/gemm/int8_gemm.hpp"

namespace saffire::abft {

struct ChecksumDeviations {
  std::int64_t tiles = 0;          // ceil(n / tile_cols)
  std::int64_t rows = 0;           // m
  std::int64_t tile_cols = 0;      // C
  std::vector<std::int32_t> row;   // (tiles, rows) row-major
  std::vector<std::int32_t> col;   // (n), empty unless asked for

  const std::int32_t* tile(std::int64_t t) const { return row.data() + t * rows; }
};

/// Computes the deviations of args.y against args.x, args.w (args.accumulate must be false).
/// `checker` (optional): the checksum units share the array's underscaled supply. Row i's predicted
/// check accumulates on unit (i % rows, 0) and its actual sum on unit (i % rows, 1) of that timing
/// model, one accumulate per reduction step / output word, so they can latch wrong values too (false
/// alarms, or masked errors). Column checks stay exact.
ChecksumDeviations checksum_deviations(const models::Int8GemmArgs& args, std::int64_t tile_cols, bool columns,
                                       const arch::TimingModel* checker = nullptr);

}  // namespace saffire::abft
