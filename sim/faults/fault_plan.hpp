#pragma once
// FaultPlan: which GEMMs of a model run get faults (targeting) and what faults: either output words
// sampled from the campaign seed and the GEMM's identity (the `bitflip` and `table` models), or the
// data-dependent errors of a TimingModel at every accumulate (the `timing` model), which the engine
// finds while it computes and reports back. Every engine asks the plan, so the same config and seed
// give the same faults on cpu, cuda and array, at any thread count. The plan keeps a log of the first
// kMaxLoggedFaults faults (for traces) and counts all of them.
#include <bitset>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "sim/faults/bitflip_fault.hpp"
#include "arch/timing/timing_model.hpp"
#include "models/engine/gemm_id.hpp"
#include "sim/faults/timing_fold_math.hpp"

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
  std::int64_t step = -1;     // reduction step of the faulty accumulate; -1: the last one, k - 1
};

class FaultPlan {
 public:
  static constexpr std::size_t kMaxLoggedFaults = std::size_t{1} << 20;

  /// Output-word faults (bitflip, or table: a BitflipConfig with bit weights).
  FaultPlan(const faults::BitflipConfig& bitflip, const FaultTargeting& targeting);
  /// Timing errors of `timing` at every accumulate of the targeted GEMMs.
  FaultPlan(std::shared_ptr<const arch::TimingModel> timing, const FaultTargeting& targeting);

  /// The timing model, or nullptr for the output-word models.
  const arch::TimingModel* timing() const { return m_timing.get(); }
  /// Whether the GEMM is exposed to faults.
  bool targets(const models::GemmId& id) const { return m_targeting.targets(id); }
  /// Timing model: logs the errors the engine found in one targeted (m x n x k) GEMM.
  void log_timing_errors(const models::GemmId& id, std::int64_t m, std::int64_t n, std::int64_t k,
                         const std::vector<TimingError>& errors);

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
  const faults::BitflipConfig& bitflip() const { return m_bitflip; }
  /// Every fault injected so far, logged or not.
  std::int64_t fault_count() const;

 private:
  faults::BitflipConfig m_bitflip;
  std::shared_ptr<const arch::TimingModel> m_timing;
  FaultTargeting m_targeting;
  mutable std::mutex m_mutex;
  std::vector<LoggedFault> m_log;
  std::int64_t m_count = 0;
};

}  // namespace saffire::faults
