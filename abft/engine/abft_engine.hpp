#pragma once
// AbftEngine: the ABFT hardware around the array, as a GemmEngine decorator. After each GEMM of the
// (faulty) engine it computes the checksum deviations the detection circuits see (abft/checksum_deviations.hpp),
// asks the DetectionPolicy once per scope (the GEMM, or each output-column tile), and applies the decision:
//   Accept, or a RecoveryPolicy (abft/recover/): correct in place, TE-drop, recompute at nominal, or
//   same-voltage retries then nominal. With remap_after = N, a PE column whose words the recoveries
//   changed in N consecutive checked GEMMs is remapped (PeRemapper): a permanent fault stops costing
//   recomputations, and the remap's cycles are counted.
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
#include "abft/engine/abft_records.hpp"
#include "abft/recover/pe_remapper.hpp"
#include "abft/recover/recovery_policy.hpp"
#include "arch/array_config.hpp"
#include "arch/tech/array_cost.hpp"
#include "models/engine/gemm_engine.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::abft {

class AbftEngine final : public models::GemmEngine, private RecoveryContext {
 public:
  static constexpr std::size_t kMaxRecords = std::size_t{1} << 20;

  /// `faulty` injects `plan`'s faults; `clean` computes the same GEMM without faults (nominal voltage).
  AbftEngine(std::unique_ptr<models::GemmEngine> faulty, std::unique_ptr<models::GemmEngine> clean,
             std::shared_ptr<faults::FaultPlan> plan, const arch::ArrayConfig& array, const abft::AbftConfig& cfg);

  std::string_view name() const override { return m_faulty->name(); }
  void gemm(const models::GemmId& id, const models::Int8GemmArgs& args) override;
  /// A GEMM on floating-point PEs: the faulty engine's result checked by the row checks with a rounding
  /// tolerance in the array's formats and order (abft/fp_checksum.hpp; decide_fp: classic or statistical at
  /// abft.fp_tolerance), on every GEMM, targeted or not (rounding alone fires a check below c = 1: a false
  /// alarm is counted like any flag). A flagged scope is recomputed: with recover_at = same-voltage up to
  /// max_retries times on the faulty engine (GemmId::attempt, re-checked), then on the clean engine.
  void numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& args) override;

  const AbftTotals& totals() const { return m_totals; }
  const AbftTotals& totals(models::Component c) const { return m_by_component[static_cast<std::size_t>(c)]; }
  const std::vector<AbftRecord>& records() const { return m_records; }
  /// Whether the latest gemm() rewrote its output (corrected, dropped or recomputed any scope).
  bool rewrote_last() const { return m_rewrote_last; }
  const abft::DetectionPolicy& policy() const { return *m_policy; }
  /// The PE columns remapped so far (permanent faults), in the order they were remapped.
  std::vector<int> remapped_columns() const { return m_remapper ? m_remapper->retired() : std::vector<int>{}; }
  /// Accounts energy from now on: `tech` prices the array and the scheme at nominal supply; `v` is the
  /// array's supply and `v_nominal` the nominal one, in the same domain (the timing model's): dynamic
  /// energy scales with (v / v_nominal)^2, leakage with v / v_nominal.
  /// With `memory`, each GEMM's SRAM and DRAM energy come from the memory model's traffic, the SRAM at its
  /// own supply (never v); without, the SRAM is arch's estimate at the nominal supply and no DRAM is counted.
  void set_energy_model(const arch::TechTable& tech, double v, double v_nominal,
                        std::optional<arch::MemoryPricing> memory = std::nullopt);
  const AbftEnergy& energy() const { return m_energy; }

 private:
  // One decision scope: output rows [m0, m1) x columns [n0, n1) (n0 on a tile boundary).
  struct Scope {
    std::int64_t id = -1;  // -1: the whole GEMM; else the tile or fold index
    std::int64_t m0 = 0, m1 = 0, n0 = 0, n1 = 0;
    bool contains(std::int64_t m, std::int64_t n) const { return m >= m0 && m < m1 && n >= n0 && n < n1; }
  };
  std::vector<Scope> scopes_of(std::int64_t m, std::int64_t n) const;
  // numeric_gemm: the decision of one scope's sub-GEMM, and its recomputation.
  Decision decide_numeric(const models::GemmId& id, const models::NumericGemmArgs& region) const;
  void recompute_numeric(const models::GemmId& id, const models::NumericGemmArgs& region, AbftRecord& rec);
  /// The GEMM's counts (gemms, MACs, folds, cycles, remap cycles) of a first execution.
  void count_first_execution(models::Component c, std::int64_t m, std::int64_t n, std::int64_t k);
  // RecoveryContext
  models::GemmEngine& faulty_engine() override { return *m_faulty; }
  models::GemmEngine& clean_engine() override { return *m_clean; }
  const faults::FaultPlan& plan() const override { return *m_plan; }
  const AbftConfig& config() const override { return m_cfg; }
  Decision recheck(const models::GemmId& id, const models::Int8GemmArgs& region) override;
  void count_recompute(models::Component c, const models::Int8GemmArgs& region, bool nominal) override;
  void add(models::Component c, std::int64_t AbftTotals::*field, std::int64_t v) override;
  void record(const AbftRecord& r) override;
  void recover(const models::GemmId& id, const models::Int8GemmArgs& args, const Scope& s, const Decision& d,
               AbftRecord& rec);
  /// The detection input of `region` (a scope's sub-GEMM), its checks computed on the region itself.
  abft::DetectionInput check(const models::GemmId& id, const models::Int8GemmArgs& region, std::int64_t flagged_macs,
                             abft::ChecksumDeviations& dev);
  std::int64_t mismatched_words(const models::Int8GemmArgs& region);
  /// The SRAM faults of the operands the checksum units read (none with checksums_from = before-sram).
  std::vector<faults::SramBitFault> checksum_sram_faults(const models::GemmId& id, const models::Int8GemmArgs& args) const;
  void account_energy(const models::Int8GemmArgs& args);
  void run_checked(const models::GemmId& id, const models::Int8GemmArgs& args);

  std::unique_ptr<models::GemmEngine> m_faulty, m_clean;
  std::shared_ptr<faults::FaultPlan> m_plan;
  arch::ArrayConfig m_array;
  abft::AbftConfig m_cfg;
  std::unique_ptr<abft::DetectionPolicy> m_policy;
  std::unique_ptr<RecoveryPolicy> m_correct, m_drop, m_recompute;
  std::optional<PeRemapper> m_remapper;
  std::vector<std::pair<std::int64_t, std::int64_t>> m_changed_words;  // of the current gemm(): words a recovery changed
  std::unique_ptr<arch::TimingModel> m_checker;  // checksums_exposed: the checksum units' timing (R x 2 units)
  AbftTotals m_totals;
  std::array<AbftTotals, models::kNumComponents> m_by_component{};
  std::vector<AbftRecord> m_records;
  std::vector<std::int32_t> m_scratch;
  bool m_rewrote_last = false;
  std::int64_t m_retry_folds = 0, m_nominal_folds = 0;  // of the current gemm()
  std::int64_t m_extra_cycles_per_fold = 0;             // the scheme's checksum cycles (DetectionPolicy::extra_cycles_per_fold)
  /// Folds and busy cycles (SCALE-Sim per-fold count plus the scheme's extra cycles) of an (m x n x k) GEMM.
  std::pair<std::int64_t, std::int64_t> folds_and_cycles(std::int64_t m, std::int64_t n, std::int64_t k) const;
  std::optional<arch::TechTable> m_tech;
  double m_v = 0, m_v_nominal = 0;
  std::optional<arch::MemoryPricing> m_memory_pricing;
  AbftEnergy m_energy;
  // (m, n, k) -> energy of a GEMM without recovery (its recovery fields unused)
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, AbftEnergy> m_energy_cache;
  // (m, n, k) -> the memory model's traffic of the shape
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, arch::MemoryTraffic> m_traffic_cache;
};

}  // namespace saffire::abft
