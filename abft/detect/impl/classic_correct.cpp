// classic-correct: row and column checksums; a single wrong word (one bad row check and one bad column
// check, equal deviations, the column inside the row check's tile) is located and corrected in place,
// anything else recomputed. Hardware: both checksum directions, the location registers and one
// correction subtractor.
#include "abft/detect/checksum_hardware.hpp"

namespace saffire::abft {
namespace {

int ceil_log2(std::int64_t n) {
  int b = 0;
  while ((std::int64_t{1} << b) < n) ++b;
  return b;
}

class ClassicCorrectPolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "classic-correct"; }
  Decision decide(const DetectionInput& in) const override;
  bool needs_columns() const override { return true; }
  std::vector<arch::CostItem> hardware_items(const HardwareContext& ctx) const override {
    arch::BillOfMaterials b;
    add_checksums(b, ctx, true);
    // Locate: the bad row and column indices and the deviation; correct: one subtraction per fold
    // at most.
    const double P = static_cast<double>(ctx.fold.cycles_per_fold);
    b.regs("correction", "row index, column index and deviation registers", 1,
           ceil_log2(ctx.array.rows) + ceil_log2(ctx.array.cols) + 32);
    b.add("correction", "INT32 subtractor", arch::Component::Add32, 1, 1.0 / P);
    return b.items;
  }
  std::int64_t extra_cycles_per_fold(const arch::ArrayConfig& array, const HardwareOptions&) const override {
    return checksum_extra_cycles(array, true);
  }
};

Decision ClassicCorrectPolicy::decide(const DetectionInput& in) const {
  Decision d;
  d.msd = matrix_sum_deviation(in.row_deviations);
  std::int64_t bad_rows = 0, bad_cols = 0, row_at = -1, col_at = -1;
  for (std::size_t i = 0; i < in.row_deviations.size(); ++i)
    if (in.row_deviations[i] != 0) {
      ++bad_rows;
      row_at = static_cast<std::int64_t>(i);
    }
  for (std::size_t j = 0; j < in.col_deviations.size(); ++j)
    if (in.col_deviations[j] != 0) {
      ++bad_cols;
      col_at = static_cast<std::int64_t>(j);
    }
  d.freq = bad_rows;
  if (bad_rows == 0 && bad_cols == 0) return d;
  // A single wrong word: one row check and one column check disagree, by the same amount, and the
  // column lies in the row check's tile. Anything else is recomputed.
  if (bad_rows == 1 && bad_cols == 1) {
    const std::int64_t tile = in.first_tile + row_at / in.rows, m = row_at % in.rows, n = in.first_col + col_at;
    const std::int32_t dev = in.row_deviations[static_cast<std::size_t>(row_at)];
    if (dev == in.col_deviations[static_cast<std::size_t>(col_at)] && n / in.tile_cols == tile) {
      d.action = Action::Correct;
      d.corrections.push_back({m, n, dev});
      return d;
    }
  }
  d.action = Action::Recompute;
  return d;
}

}  // namespace

std::unique_ptr<DetectionPolicy> make_classic_correct_policy(const AbftConfig&) {
  return std::make_unique<ClassicCorrectPolicy>();
}

}  // namespace saffire::abft
