#include "abft/detect/checksum_hardware.hpp"

#include <string>

namespace saffire::abft {

using arch::Component;
using arch::Dataflow;

std::int64_t add_row_checksums(arch::BillOfMaterials& b, const arch::ArrayConfig& cfg, const arch::FoldActivity& a) {
  const double R = cfg.rows, C = cfg.cols, u = a.utilization, P = static_cast<double>(a.cycles_per_fold);
  if (cfg.dataflow == Dataflow::WS) {
    // An extra PE column holding (W e)[k] = sum_n W[k][n] (precomputed, 8 + log2 C <= 16 bits), fed by
    // the same activations: its bottom output is (X W e)[m]. An 8x16 multiplier has twice the
    // partial-product array of an 8x8 one: 2 INT8 multipliers.
    const std::string col = "checksum PE column (R)";
    b.add(col, "8x16 multiplier (activation x W e)", Component::Mult8, R, u, 2.0);
    b.add(col, "INT32 adder", Component::Add32, R, u);
    b.regs(col, "stationary checksum weight (16b)", R, 16);
    b.regs(col, "activation register (8b)", R, 8);
    b.regs(col, "partial-sum register (32b)", R, 32);
    // An adder row under the array: a running sum passed right along the bottom edge, Y[m][n] added
    // in column n (the pipeline register keeps the skew): produces (Y e)[m], one per cycle.
    const std::string row = "output adder row (C)";
    b.add(row, "INT32 adder", Component::Add32, C, u);
    b.regs(row, "running-sum register (32b)", C, 32);
    b.add("comparators", "32-bit comparator (Y e vs X W e, one per cycle)", Component::Cmp32, 1, u);
    return a.stream;
  }
  // OS. A weight-sum row along the top edge: the running sum of the weights entering the columns,
  // (W e)[k] (16 bits for C <= 256), passed right with the skew.
  const std::string top = "weight-sum row (C)";
  b.add(top, "INT16 adder", Component::Add16, C, u);
  b.regs(top, "running-sum register (16b)", C, 16);
  // A checksum accumulator column on the right edge: unit m accumulates X[m][k] * (W e)[k] -> (X W e)[m].
  const std::string col = "checksum accumulator column (R)";
  b.add(col, "8x16 multiplier (activation x W e)", Component::Mult8, R, u, 2.0);
  b.add(col, "INT32 adder", Component::Add32, R, u);
  b.regs(col, "checksum weight register (16b, moves down)", R, 16);
  b.regs(col, "activation register (8b)", R, 8);
  b.regs(col, "accumulator (32b)", R, 32);
  // Output-sum accumulators at the right edge: unit m adds up Y[m][.] as the outputs drain (C adds per
  // fold) -> (Y e)[m]; then one comparison per fold each.
  const std::string acc = "output-sum accumulators (R)";
  b.add(acc, "INT32 adder", Component::Add32, R, C / P);
  b.regs(acc, "accumulator (32b)", R, 32);
  b.add("comparators", "32-bit comparator (one per row, once per fold)", Component::Cmp32, R, 1.0 / P);
  return cfg.rows;
}

void add_column_checksums(arch::BillOfMaterials& b, const arch::ArrayConfig& cfg, const arch::FoldActivity& a) {
  const double R = cfg.rows, C = cfg.cols, u = a.utilization, P = static_cast<double>(a.cycles_per_fold);
  if (cfg.dataflow == Dataflow::WS) {
    // (e^T X)[k] = sum_m X[m][k] is accumulated at the left edge (one accumulator per row k). It is
    // wider than INT8, so it is streamed through the existing array as 5 extra rows of 7-bit chunks
    // (mod 2^32: 5 x 7 >= 32 bits; nonnegative 7-bit chunks fit the signed INT8 multipliers): 5 extra
    // cycles per fold (checksum_extra_cycles), no extra multipliers. At the bottom, per column: an
    // accumulator of e^T Y over the stream, a shift-add that recombines the 5 chunk results, and a
    // comparator.
    b.add("activation-sum column (R)", "INT32 adder", Component::Add32, R, u);
    b.regs("activation-sum column (R)", "accumulator (32b)", R, 32);
    b.add("column-sum accumulators (C)", "INT32 adder", Component::Add32, C, u);
    b.regs("column-sum accumulators (C)", "accumulator (32b)", C, 32);
    b.add("chunk recombiners (C)", "INT32 adder (shift-add)", Component::Add32, C, 5.0 / P);
    b.regs("chunk recombiners (C)", "accumulator (32b)", C, 32);
    b.add("comparators", "32-bit comparator (one per column, once per fold)", Component::Cmp32, C, 1.0 / P);
    return;
  }
  // OS, the mirror image of the row checksums: an activation-sum column along the left edge gives
  // (e^T X)[k] (16 bits for R <= 256); a checksum accumulator row under the array, unit n
  // accumulating (e^T X)[k] * W[k][n] as the weights leave the bottom of column n -> (e^T X W)[n];
  // the outputs draining at the right edge are summed down the edge, one column per drain cycle, and
  // compared with one comparator.
  const std::string left = "activation-sum column (R)";
  b.add(left, "INT16 adder", Component::Add16, R, u);
  b.regs(left, "running-sum register (16b)", R, 16);
  const std::string row = "checksum accumulator row (C)";
  b.add(row, "8x16 multiplier (e^T X x weight)", Component::Mult8, C, u, 2.0);
  b.add(row, "INT32 adder", Component::Add32, C, u);
  b.regs(row, "activation-sum register (16b, moves right)", C, 16);
  b.regs(row, "weight register (8b)", C, 8);
  b.regs(row, "accumulator (32b)", C, 32);
  const std::string edge = "drain column-sum chain (R)";
  b.add(edge, "INT32 adder", Component::Add32, R, C / P);
  b.regs(edge, "running-sum register (32b)", R, 32);
  b.add("comparators", "32-bit comparator (one column per drain cycle)", Component::Cmp32, 1, C / P);
}

double add_checksums(arch::BillOfMaterials& b, const HardwareContext& ctx, bool columns) {
  double d = static_cast<double>(add_row_checksums(b, ctx.array, ctx.fold));
  if (columns) {
    add_column_checksums(b, ctx.array, ctx.fold);
    d += ctx.array.cols;  // one column deviation per output column
  }
  return d;
}

void add_msd(arch::BillOfMaterials& b, double deviations, double P) {
  // 40-bit: the sum of up to 256 32-bit deviations.
  const std::string blk = "statistics unit";
  b.add(blk, "MSD accumulator adder (40b = 1.25 INT32)", Component::Add32, 1, deviations / P, 1.25);
  b.regs(blk, "MSD register (40b)", 1, 40);
  b.add(blk, "absolute value (conditional negate, adder-sized)", Component::Add32, 1, 1.0 / P, 1.25);
}

std::int64_t checksum_extra_cycles(const arch::ArrayConfig& cfg, bool columns) {
  return columns && cfg.dataflow == Dataflow::WS ? 5 : 0;
}

}  // namespace saffire::abft
