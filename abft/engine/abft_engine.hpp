#pragma once
// AbftEngine: the ABFT hardware around the array, as a GemmEngine decorator. After each GEMM of the
// (faulty) engine it computes the checksum deviations the detection circuits see (abft/checksum_deviations.hpp),
// asks the DetectionPolicy once per scope (the GEMM, or each output-column tile), and applies the decision:
//   Accept; Correct (classic-correct: one word fixed in place); DropFaultyMacs (ThUnderVolt: every
//   flagged accumulate's product is left out); Recompute: the scope runs again on the faulty engine at
//   the same voltage (a fresh execution, GemmId::attempt = 1, 2, ...) up to max_retries times, each
//   re-checked, then once on the clean engine (nominal voltage), which always passes.
// The checksum units sit in a nominal-voltage domain (no faults of their own). Every decision is
// recorded (capped at kMaxRecords) and totals are kept per component for reports and energy.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/checksum_deviations.hpp"
#include "abft/detect/detection_policy.hpp"
#include "arch/array_config.hpp"
#include "arch/tech/array_cost.hpp"
#include "models/engine/gemm_engine.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::abft {

struct AbftRecord {
  models::GemmId gemm;
  std::int64_t tile = -1;  // scope: -1 the whole GEMM, else the output-column tile (tile scope) or fold (fold scope)
  int attempt = 0;         // 0: the first execution; k: the k-th same-voltage recomputation
  abft::Action action = abft::Action::Accept;
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
};

/// Energy of the GEMMs the engine ran (arch::gemm_energy), pJ.
struct AbftEnergy {
  double total = 0;      // at the array's voltage: compute, SRAM, leakage, detection, recovery
  double detection = 0;  // the scheme's extra hardware
  double recovery = 0;   // recomputations (same-voltage retries at v, fallbacks at nominal)
  double nominal = 0;    // the same GEMMs at nominal voltage without any detection hardware: the reference
};

class AbftEngine final : public models::GemmEngine {
 public:
  static constexpr std::size_t kMaxRecords = std::size_t{1} << 20;

  /// `faulty` injects `plan`'s faults; `clean` computes the same GEMM without faults (nominal voltage).
  AbftEngine(std::unique_ptr<models::GemmEngine> faulty, std::unique_ptr<models::GemmEngine> clean,
             std::shared_ptr<faults::FaultPlan> plan, const arch::ArrayConfig& array, const abft::AbftConfig& cfg);

  std::string_view name() const override { return m_faulty->name(); }
  void gemm(const models::GemmId& id, const models::Int8GemmArgs& args) override;

  const AbftTotals& totals() const { return m_totals; }
  const AbftTotals& totals(models::Component c) const { return m_by_component[static_cast<std::size_t>(c)]; }
  const std::vector<AbftRecord>& records() const { return m_records; }
  /// Whether the latest gemm() rewrote its output (corrected, dropped or recomputed any scope).
  bool rewrote_last() const { return m_rewrote_last; }
  const abft::DetectionPolicy& policy() const { return *m_policy; }
  /// Accounts energy from now on: `tech` prices the array and the scheme at nominal supply; `v` is the
  /// array's supply and `v_nominal` the nominal one, in the same domain (the timing model's): dynamic
  /// energy scales with (v / v_nominal)^2, leakage with v / v_nominal.
  void set_energy_model(const arch::TechTable& tech, double v, double v_nominal);
  const AbftEnergy& energy() const { return m_energy; }

 private:
  // One decision scope: output rows [m0, m1) x columns [n0, n1) (n0 on a tile boundary).
  struct Scope {
    std::int64_t id = -1;  // -1: the whole GEMM; else the tile or fold index
    std::int64_t m0 = 0, m1 = 0, n0 = 0, n1 = 0;
    bool contains(std::int64_t m, std::int64_t n) const { return m >= m0 && m < m1 && n >= n0 && n < n1; }
  };
  std::vector<Scope> scopes_of(const models::Int8GemmArgs& args) const;
  /// The detection input of `region` (a scope's sub-GEMM), its checks computed on the region itself.
  abft::DetectionInput check(const models::GemmId& id, const models::Int8GemmArgs& region, std::int64_t flagged_macs,
                             abft::ChecksumDeviations& dev);
  std::int64_t mismatched_words(const models::Int8GemmArgs& region);
  std::int64_t drop_faulty_macs(const models::GemmId& id, const models::Int8GemmArgs& args, const Scope& s);
  void recompute(const models::GemmId& id, const models::Int8GemmArgs& args, const Scope& s, AbftRecord& rec);
  void record(const AbftRecord& r);
  void add(models::Component c, std::int64_t AbftTotals::*field, std::int64_t v);
  void account_energy(const models::Int8GemmArgs& args);
  void run_checked(const models::GemmId& id, const models::Int8GemmArgs& args);

  std::unique_ptr<models::GemmEngine> m_faulty, m_clean;
  std::shared_ptr<faults::FaultPlan> m_plan;
  arch::ArrayConfig m_array;
  abft::AbftConfig m_cfg;
  std::unique_ptr<abft::DetectionPolicy> m_policy;
  std::unique_ptr<arch::TimingModel> m_checker;  // checksums_exposed: the checksum units' timing (R x 2 units)
  AbftTotals m_totals;
  std::array<AbftTotals, models::kNumComponents> m_by_component{};
  std::vector<AbftRecord> m_records;
  std::vector<std::int32_t> m_scratch;
  bool m_rewrote_last = false;
  std::int64_t m_retry_folds = 0, m_nominal_folds = 0;  // of the current gemm()
  std::int64_t m_extra_cycles_per_fold = 0;             // the scheme's checksum cycles (arch::scheme_extra_cycles)
  /// Folds and busy cycles (SCALE-Sim per-fold count plus the scheme's extra cycles) of an (m x n x k) GEMM.
  std::pair<std::int64_t, std::int64_t> folds_and_cycles(std::int64_t m, std::int64_t n, std::int64_t k) const;
  std::optional<arch::TechTable> m_tech;
  double m_v = 0, m_v_nominal = 0;
  AbftEnergy m_energy;
  // (m, n, k) -> energy of a GEMM without recovery: total, detection, nominal reference
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::array<double, 3>> m_energy_cache;
};

}  // namespace saffire::abft
