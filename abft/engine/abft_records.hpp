#pragma once
// What the ABFT engine keeps of a run: one record per decision, totals per component, energy.
#include <cstdint>

#include "abft/detect/detection_policy.hpp"
#include "models/engine/gemm_id.hpp"

namespace saffire::abft {

struct AbftRecord {
  models::GemmId gemm;
  std::int64_t tile = -1;  // scope: -1 the whole GEMM, else the output-column tile (tile scope) or fold (fold scope)
  int attempt = 0;         // 0: the first execution; k: the k-th same-voltage recomputation
  Action action = Action::Accept;
  double msd = 0, theta_mag = 0;
  std::int64_t freq = 0;
  bool recovered_at_nominal = false;  // the scope was finally recomputed on the clean engine
};

struct AbftTotals {
  std::int64_t gemms = 0;              // GEMMs checked
  std::int64_t scopes = 0;             // decisions on first executions
  std::int64_t flagged = 0;            // first-execution decisions other than Accept
  std::int64_t recomputed = 0;         // scopes recomputed (at least once)
  std::int64_t retries = 0;            // same-voltage recomputations
  std::int64_t nominal = 0;            // scopes that fell back to nominal voltage
  std::int64_t corrected_words = 0;    // classic-correct
  std::int64_t dropped_macs = 0;       // thundervolt
  std::int64_t macs = 0;               // MACs of the first executions
  std::int64_t recomputed_macs = 0;    // MACs of all recomputations
  std::int64_t folds = 0;              // array folds of the first executions
  std::int64_t recomputed_folds = 0;   // array folds of all recomputations
  std::int64_t cycles = 0;             // array cycles of the first executions, the scheme's extra cycles per fold included
  std::int64_t recomputed_cycles = 0;  // array cycles of all recomputations (same accounting)
  std::int64_t remapped_columns = 0;   // PE columns whose work was mapped elsewhere (permanent faults)
  std::int64_t remap_cycles = 0;       // extra array cycles of the first executions due to remapped columns
};

/// Energy of the GEMMs the engine ran (arch::gemm_energy), pJ.
struct AbftEnergy {
  double total = 0;      // at the array's voltage: compute, SRAM, leakage, detection, recovery (DRAM with memory pricing)
  double compute = 0;    // the array's domain: PEs, registers, leakage, detection, recomputed folds' compute
  double sram = 0;       // the scratchpads, at their own supply (recomputed folds' reads included)
  double dram = 0;       // DRAM traffic and background (only with memory pricing)
  double nominal_compute = 0;  // the array's part of `nominal`
  double detection = 0;  // the scheme's extra hardware
  double recovery = 0;   // recomputations (same-voltage retries at v, fallbacks at nominal)
  double nominal = 0;    // the same GEMMs at nominal voltage without any detection hardware: the reference
};

}  // namespace saffire::abft
