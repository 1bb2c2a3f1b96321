#include "sim/memory/memory_model.hpp"

#include "arch/fold_plan.hpp"

namespace saffire::memory {

OperandWords array_side_reads(const arch::ArrayConfig& array, const arch::GemmShape& s) {
  const std::int64_t row_folds_m = arch::ceil_div(s.m, array.rows);  // OS: row folds over M
  const std::int64_t col_folds = arch::ceil_div(s.n, array.cols);
  OperandWords w;
  w.ifmap = s.m * s.k * col_folds;
  w.filter = array.dataflow == arch::Dataflow::WS ? s.k * s.n : s.k * s.n * row_folds_m;
  return w;
}

std::int64_t array_side_output_writes(const arch::ArrayConfig& array, const arch::GemmShape& s) {
  // WS writes a partial sum of every output per reduction fold; OS writes each output once.
  return array.dataflow == arch::Dataflow::WS ? s.m * s.n * arch::ceil_div(s.k, array.rows) : s.m * s.n;
}

}  // namespace saffire::memory
