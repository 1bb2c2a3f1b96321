#pragma once
// The hardware the checksum schemes share (classic, classic-correct, approxabft, statistical):
// Huang-Abraham row and column checksum units and the MSD accumulator, as arch cost items. Geometry and
// activity conventions: arch/tech/array_cost.cpp; the units in words: arch/tech/README.md.
#include <cstdint>

#include "abft/detect/detection_policy.hpp"

namespace saffire::abft {

/// One direction, the row checksums Y e vs X (W e) (issue 5, background.md): WS an extra PE column and an
/// output adder row, OS a weight-sum row, checksum accumulators and output-sum accumulators. Returns
/// the deviations produced per fold (WS: S, one per output row; OS: R).
std::int64_t add_row_checksums(arch::BillOfMaterials& b, const arch::ArrayConfig& cfg, const arch::FoldActivity& a);
/// The other direction, e^T Y vs (e^T X) W (one deviation per output column): what locating a single
/// error needs (classic-correct), or --two-sided.
void add_column_checksums(arch::BillOfMaterials& b, const arch::ArrayConfig& cfg, const arch::FoldActivity& a);
/// Row checksums, then column checksums when `columns`; returns the deviations per fold (+ C with columns).
double add_checksums(arch::BillOfMaterials& b, const HardwareContext& ctx, bool columns);
/// MSD = |sum of `deviations` per fold| (40-bit accumulator and register) and its absolute value.
void add_msd(arch::BillOfMaterials& b, double deviations, double cycles_per_fold);
/// Extra cycles per fold of the checksums: 5 on WS with column checksums (e^T X streamed through the
/// array as 5 rows of 7-bit chunks), else 0.
std::int64_t checksum_extra_cycles(const arch::ArrayConfig& cfg, bool columns);

}  // namespace saffire::abft
