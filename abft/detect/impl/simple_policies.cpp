// The policies that need no statistics: none, classic (Huang-Abraham, recompute on any deviation),
// dmr (duplicate and compare) and thundervolt (Razor flags per MAC, drop the faulty MACs).
#include "abft/detect/impl/simple_policies.hpp"

namespace saffire::abft {
namespace {

std::int64_t nonzero(std::span<const std::int32_t> d) {
  std::int64_t n = 0;
  for (std::int32_t v : d) n += v != 0;
  return n;
}

}  // namespace

Decision NonePolicy::decide(const DetectionInput& in) const {
  Decision d;
  d.msd = matrix_sum_deviation(in.row_deviations);
  d.freq = nonzero(in.row_deviations);
  return d;
}

Decision ClassicPolicy::decide(const DetectionInput& in) const {
  Decision d;
  d.msd = matrix_sum_deviation(in.row_deviations);
  d.freq = nonzero(in.row_deviations);
  if (d.freq > 0) d.action = Action::Recompute;
  return d;
}

Decision DmrPolicy::decide(const DetectionInput& in) const {
  Decision d;
  d.msd = matrix_sum_deviation(in.row_deviations);
  d.freq = in.mismatched_words;
  if (in.mismatched_words > 0) d.action = Action::Recompute;
  return d;
}

Decision ThunderVoltPolicy::decide(const DetectionInput& in) const {
  Decision d;
  d.msd = matrix_sum_deviation(in.row_deviations);
  d.freq = in.flagged_macs;
  if (in.flagged_macs > 0) d.action = Action::DropFaultyMacs;
  return d;
}

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

}  // namespace saffire::abft
