#pragma once
// FoldPlan: how a GEMM is cut into folds (tiles) that each occupy the whole array once.
// Shared by the PE-level and fold-level models, so both walk folds in the same order.
//
//   WS: rows <-> K (stationary weights W[k][n]), cols <-> N, streamed dimension M.
//       Folds: ceil(N/C) column tiles (outer) x ceil(K/R) reduction tiles (inner).
//   OS: rows <-> M (stationary outputs Y[m][n]), cols <-> N, streamed dimension K.
//       Folds: ceil(M/R) row tiles (outer) x ceil(N/C) column tiles (inner).
#include <cstdint>

#include "arch/array_config.hpp"
#include "arch/checked_size.hpp"
#include "arch/gemm_shape.hpp"

namespace saffire::arch {

struct Fold {
  std::int64_t index = 0;     // 0-based position in execution order
  std::int64_t row0 = 0;      // first GEMM index mapped to PE row 0 (WS: k, OS: m)
  std::int64_t rows_used = 0; // PE rows holding real work (<= R)
  std::int64_t col0 = 0;      // first output column n mapped to PE column 0
  std::int64_t cols_used = 0; // PE columns holding real work (<= C)
  std::int64_t stream = 0;    // length of the streamed dimension (WS: M, OS: K)
};

class FoldPlan {
 public:
  /// ConfigError when the fold count or the cycles of a fold do not fit in int64.
  FoldPlan(const ArrayConfig& cfg, const GemmShape& shape);

  std::int64_t count() const { return m_count; }
  Fold fold(std::int64_t index) const;

  /// Cycles one fold takes in SCALE-Sim v2's compute model (unlimited operand bandwidth):
  /// WS 2R + C + M - 2 (R to load weights, then stream with fill and drain);
  /// OS R + C + K - 2 (+R when cfg.os_drain). Same for every fold: the array is used whole.
  std::int64_t cycles_per_fold() const { return m_cycles_per_fold; }

 private:
  ArrayConfig m_cfg;
  GemmShape m_shape;
  std::int64_t m_outer = 0, m_inner = 0, m_count = 0, m_cycles_per_fold = 0;
};

/// Whole-GEMM figures of merit, computed from the analytical model.
struct CycleReport {
  std::int64_t folds = 0;
  std::int64_t cycles_per_fold = 0;
  std::int64_t cycles = 0;  // SCALE-Sim convention: 0-based index of the last output cycle = folds*per_fold - 1
  std::int64_t macs = 0;
  double utilization = 0;         // macs / (cycles * R * C)
  double mapping_efficiency = 0;  // mean over folds of (rows_used * cols_used) / (R * C)
};

/// O(1) for any shape; ConfigError when the folds, cycles or MACs do not fit in int64.
CycleReport analytical_cycles(const ArrayConfig& cfg, const GemmShape& shape);

/// Fills utilization and mapping efficiency of a report whose folds, cycles and macs are set.
void finish_report(const ArrayConfig& cfg, const GemmShape& shape, CycleReport& report);

}  // namespace saffire::arch
