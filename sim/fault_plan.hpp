#pragma once
// FaultPlan: which GEMMs of a model run get faults (targeting) and which output words of each
// (the bitflip model, sampled from the campaign seed and the GEMM's identity). Every engine asks the
// plan, so the same config and seed give the same faults on cpu, cuda and array, at any thread count.
#include <bitset>
#include <cstdint>
#include <mutex>
#include <set>
#include <vector>

#include "arch/fault/bitflip_fault.hpp"
#include "models/engine/gemm_id.hpp"

namespace saffire::sim {

struct FaultTargeting {
  std::bitset<models::kNumComponents> components = std::bitset<models::kNumComponents>().set();  // default: all nine
  std::set<int> layers;        // empty: every layer
  bool prefill = true;         // inject during prefill GEMMs
  bool decode = true;          // inject during decode GEMMs
  bool targets(const models::GemmId& id) const;
};

struct LoggedFault {
  models::GemmId gemm;
  arch::OutputFault fault;
};

class FaultPlan {
 public:
  FaultPlan(const arch::BitflipConfig& bitflip, const FaultTargeting& targeting);

  /// The faults of one GEMM (empty when it is not targeted); also appended to the log.
  std::vector<arch::OutputFault> faults_for(const models::GemmId& id, std::int64_t m, std::int64_t n);

  /// The same faults, without logging them (a pure function of the identity and shape).
  std::vector<arch::OutputFault> sample(const models::GemmId& id, std::int64_t m, std::int64_t n) const;

  /// Stable key of a GEMM's identity (everything but the call index, which depends on call order).
  static std::uint64_t gemm_key(const models::GemmId& id);

  std::vector<LoggedFault> log() const;
  std::int64_t fault_count() const;

 private:
  arch::BitflipConfig m_bitflip;
  FaultTargeting m_targeting;
  mutable std::mutex m_mutex;
  std::vector<LoggedFault> m_log;
};

}  // namespace saffire::sim
