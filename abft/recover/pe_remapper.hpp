#pragma once
// PeRemapper: recovery from permanent faults. Recomputing cannot repair a stuck PE: every GEMM mapped
// through it is flagged again. The remapper watches which PEs the recoveries had to repair (the words
// a recovery changed, mapped to the PE that produced them: OS, the word's PE (m % R, n % C); WS, its
// PE column n % C, since a WS word does not tell which row of the column failed) and, when one PE is
// behind a repaired word in `after` consecutive checked GEMMs that use it, takes its column out of
// service:
//   spare-column: the column's work moves to a spare column beside the array (fault-free, same timing):
//                 no extra cycles (its area is the overhead report's business);
//   extra-fold:   no spare: the array runs on its C - r healthy columns, i.e. more column tiles, and
//                 each GEMM costs the cycles of that narrower array (counted per GEMM).
// The faults of a remapped column stop (FaultPlan::remap_columns).
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "abft/abft_config.hpp"
#include "arch/array_config.hpp"
#include "arch/gemm_shape.hpp"

namespace saffire::abft {

class PeRemapper {
 public:
  PeRemapper(const arch::ArrayConfig& array, int after, RemapTo to);

  /// After one checked GEMM of `shape`: `repaired` holds the (m, n) words its recoveries changed.
  /// Returns the columns remapped by this GEMM (empty most of the time).
  std::vector<int> observe(const arch::GemmShape& shape, const std::vector<std::pair<std::int64_t, std::int64_t>>& repaired);

  /// Remapped columns, in the order they were remapped.
  const std::vector<int>& retired() const { return m_retired; }
  /// Extra array cycles of one GEMM because of the remapped columns (0 for spare-column), with the
  /// scheme's `extra_cycles_per_fold` counted in every fold as the engine does.
  std::int64_t extra_cycles(const arch::GemmShape& shape, std::int64_t extra_cycles_per_fold) const;

 private:
  arch::ArrayConfig m_array;
  int m_after;
  RemapTo m_to;
  std::map<std::pair<std::int64_t, std::int64_t>, int> m_streak;  // PE (row, or -1 for a WS column; col) -> consecutive flags
  std::vector<int> m_retired;
};

}  // namespace saffire::abft
