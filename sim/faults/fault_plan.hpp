#pragma once
// FaultPlan: which GEMMs of a model run get faults (targeting) and what faults (a FaultModel,
// sim/faults/fault_model.hpp): output words sampled from the campaign seed and the GEMM's identity
// (bitflip, table), or an accumulate rule (timing, stuck-at) whose failing accumulates the engine
// finds while it computes and reports back. Every engine asks the plan, so the same config and seed
// give the same faults on cpu, cuda and array, at any thread count. The plan keeps a log of the first
// kMaxLoggedFaults faults (for traces) and counts all of them.
#include <bitset>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "arch/array_config.hpp"
#include "arch/timing/timing_model.hpp"
#include "sim/faults/bitflip_fault.hpp"
#include "sim/faults/fault_model.hpp"
#include "sim/faults/sram_faults.hpp"
#include "sim/faults/stuck_at.hpp"
#include "models/engine/gemm_id.hpp"
#include "sim/faults/accumulate_fold_math.hpp"

namespace saffire::faults {

struct FaultTargeting {
  std::bitset<models::kNumComponents> components = std::bitset<models::kNumComponents>().set();  // default: all nine
  std::set<int> layers;        // empty: every layer
  bool prefill = true;         // inject during prefill GEMMs
  bool decode = true;          // inject during decode GEMMs
  bool targets(const models::GemmId& id) const;
};

/// The word of a fault without and with it, as the engine produced it. Output-word models: the output
/// word (OS: the accumulator before / after the flip; WS: the final sum, whose last fold's partial
/// sum was flipped). Timing model: the accumulator of the failing accumulate, correct / latched.
struct FaultValues {
  std::int32_t before = 0;
  std::int32_t after = 0;
};

struct LoggedFault {
  models::GemmId gemm;
  arch::OutputFault fault;
  std::int64_t gemm_m = 0;    // the GEMM's shape (m x n outputs, reduction length k; k is 0 if the
  std::int64_t gemm_n = 0;    // caller of faults_for did not give it): the hardware address of a
  std::int64_t k = 0;         // fault depends on it (arch::map_to_hardware)
  bool has_values = false;    // `values` were recorded by the engine (record_values)
  FaultValues values;
  std::int64_t step = -1;     // reduction step of the faulty accumulate; -1: the last one, k - 1. WS stuck-at
                              // faults of a PE row the last reduction fold leaves unused: k0 + row >= k
};

/// Where faults struck, as task outcomes are attributed (sim/faults/outcome_attribution.hpp).
struct FaultSiteKey {
  std::int32_t sequence = 0;
  std::int32_t layer = 0;
  models::Component component = models::Component::Q;
  auto operator<=>(const FaultSiteKey&) const = default;
};

class FaultPlan {
 public:
  static constexpr std::size_t kMaxLoggedFaults = std::size_t{1} << 20;

  FaultPlan(std::shared_ptr<const FaultModel> model, const FaultTargeting& targeting);
  /// Shorthands: the bitflip model of `bitflip`; the timing model of `timing`.
  FaultPlan(const BitflipConfig& bitflip, const FaultTargeting& targeting);
  FaultPlan(std::shared_ptr<const arch::TimingModel> timing, const FaultTargeting& targeting);

  const FaultModel& model() const { return *m_model; }
  /// The accumulate rule of a targeted GEMM (monostate for untargeted GEMMs and output-word models).
  AccumulateRule accumulate_rule(const models::GemmId& id) const {
    return m_targeting.targets(id) ? m_rule : AccumulateRule{};
  }
  /// Whether the model acts at every accumulate (its faults are the engine's logged errors).
  bool accumulate_level() const { return has_rule(m_rule); }
  /// Whether the GEMM is exposed to faults.
  bool targets(const models::GemmId& id) const { return m_targeting.targets(id); }
  /// Accumulate rules: logs the errors the engine found in one targeted (m x n x k) GEMM.
  void log_accumulate_errors(const models::GemmId& id, std::int64_t m, std::int64_t n, std::int64_t k,
                         const std::vector<AccumulateError>& errors);

  /// The faults of one (m x n x k) GEMM (empty when it is not targeted); also appended to the log.
  std::vector<arch::OutputFault> faults_for(const models::GemmId& id, std::int64_t m, std::int64_t n,
                                            std::int64_t k = 0);

  /// Records the output words of `faults`, as just returned by faults_for(id, ...), after injection:
  /// values[i] belongs to faults[i]. Fills the matching log entries that have no values yet; throws
  /// std::logic_error if the log has no such entries.
  void record_values(const models::GemmId& id, const std::vector<arch::OutputFault>& faults,
                     const std::vector<FaultValues>& values);

  /// The same faults, without logging them (a pure function of the identity and shape).
  std::vector<arch::OutputFault> sample(const models::GemmId& id, std::int64_t m, std::int64_t n) const;

  /// Stable key of a GEMM's identity (everything but the call index, which depends on call order).
  static std::uint64_t gemm_key(const models::GemmId& id);

  /// The logged faults of GEMM `id` when its execution was the latest to log any (call it right after
  /// the engine ran it); empty when it had none or they were past the log's end.
  std::vector<LoggedFault> logged_for(const models::GemmId& id) const;
  /// The logged faults (the first kMaxLoggedFaults).
  std::vector<LoggedFault> log() const;
  /// The work of these PE columns of `array` runs elsewhere from now on (a spare column or more folds,
  /// abft/recover/pe_remapper.hpp): their stuck-at PEs and output-word faults no longer hit. Timing
  /// errors are left as they are (the spare column would have its own). Not thread-safe: call it
  /// between GEMMs.
  void remap_columns(const arch::ArrayConfig& array, const std::vector<int>& columns);
  /// Every fault injected so far, logged or not.
  std::int64_t fault_count() const;
  /// Every fault injected so far (accumulator faults and faulty SRAM words alike) by sequence, layer and
  /// component: never capped, unlike the log.
  std::map<FaultSiteKey, std::int64_t> site_counts() const;

  /// SRAM errors in the stored operands (sim/faults/sram_faults.hpp), on top of the model's faults, in
  /// the GEMMs the targeting selects. Call before the run.
  void set_sram_faults(const SramFaultConfig& cfg);
  bool has_sram_faults() const { return m_sram.has_value(); }
  /// The faulty stored words of GEMM `id`'s residence (empty when untargeted or without SRAM faults),
  /// counted in sram_fault_words() / sram_fault_bits().
  std::vector<SramBitFault> sram_faults_for(const models::GemmId& id, std::int64_t m, std::int64_t n, std::int64_t k);
  /// The same, without counting (ABFT computing checksums from the SRAM copy).
  std::vector<SramBitFault> sram_sample(const models::GemmId& id, std::int64_t m, std::int64_t n, std::int64_t k) const;
  std::int64_t sram_fault_words() const;
  std::int64_t sram_fault_bits() const;

 private:
  std::shared_ptr<const FaultModel> m_model;
  AccumulateRule m_rule;
  std::unique_ptr<const StuckAtMap> m_remapped_stuck;  // the stuck-at map without the remapped columns
  std::optional<arch::ArrayConfig> m_remap_array;      // with remapped columns: the array they belong to
  std::vector<int> m_remapped_columns;
  FaultTargeting m_targeting;
  mutable std::mutex m_mutex;
  std::vector<LoggedFault> m_log;
  std::int64_t m_count = 0;
  std::map<FaultSiteKey, std::int64_t> m_site_counts;
  std::optional<SramFaultConfig> m_sram;
  std::int64_t m_sram_words = 0, m_sram_bits = 0;
};

}  // namespace saffire::faults
