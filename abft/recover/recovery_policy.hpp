#pragma once
// RecoveryPolicy: what the ABFT engine does with a scope its DetectionPolicy did not accept. One
// implementation per way of restoring the output, in impl/, chosen in recovery_factory.cpp by the
// decision's action and the [abft] config:
//   correct          classic-correct's corrections, applied in place
//   drop             ThUnderVolt's TE-drop: the flagged accumulates' products left out
//   recompute        the scope again on the clean engine (nominal voltage), which always passes
//   retry            up to max_retries recomputations at the array's voltage, each re-checked, then
//                    `recompute` (recover_at = "same-voltage")
// Permanent faults are not recovered per scope but avoided: see pe_remapper.hpp.
#include <cstdint>
#include <memory>
#include <string_view>

#include "abft/abft_config.hpp"
#include "abft/detect/detection_policy.hpp"
#include "abft/engine/abft_records.hpp"
#include "models/engine/gemm_engine.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::abft {

/// What a recovery may use; implemented by the AbftEngine.
class RecoveryContext {
 public:
  virtual ~RecoveryContext() = default;
  virtual models::GemmEngine& faulty_engine() = 0;  // the array at the campaign's voltage (injects the plan)
  virtual models::GemmEngine& clean_engine() = 0;   // the same array at nominal voltage
  virtual const faults::FaultPlan& plan() const = 0;
  virtual const AbftConfig& config() const = 0;
  /// The detection policy's decision on `region` as GEMM `id` just produced it (a re-check).
  virtual Decision recheck(const models::GemmId& id, const models::Int8GemmArgs& region) = 0;
  /// Books one recomputation of `region`: at nominal voltage (the clean engine) or at the array's.
  virtual void count_recompute(models::Component c, const models::Int8GemmArgs& region, bool nominal) = 0;
  virtual void add(models::Component c, std::int64_t AbftTotals::*field, std::int64_t v) = 0;
  virtual void record(const AbftRecord& r) = 0;
};

/// One scope to recover.
struct RecoveryRequest {
  models::GemmId id;             // the GEMM's identity (attempt 0: its first execution)
  models::Int8GemmArgs gemm;     // the whole GEMM, y as the faulty engine (and earlier scopes) left it
  models::Int8GemmArgs region;   // the scope's sub-GEMM: rows [m0, m0 + region.m), columns [n0, n0 + region.n)
  std::int64_t m0 = 0, n0 = 0;
  const Decision* decision = nullptr;  // the detection policy's verdict (not Accept)
  AbftRecord* record = nullptr;        // the first execution's record: recover() may mark recovered_at_nominal
};

class RecoveryPolicy {
 public:
  virtual ~RecoveryPolicy() = default;
  virtual std::string_view name() const = 0;
  /// Contract: rewrites the outputs of req.region (and only those) and books what it ran through ctx.
  virtual void recover(RecoveryContext& ctx, const RecoveryRequest& req) const = 0;
};

/// The recovery for `action` under `cfg`: correct, drop, or recompute / retry by cfg.recover_at.
/// Accept has none (std::logic_error).
std::unique_ptr<RecoveryPolicy> make_recovery(Action action, const AbftConfig& cfg);

}  // namespace saffire::abft
