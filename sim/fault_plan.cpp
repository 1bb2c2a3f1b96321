#include "sim/fault_plan.hpp"

namespace saffire::sim {

bool FaultTargeting::targets(const models::GemmId& id) const {
  if (!components.test(static_cast<std::size_t>(id.component))) return false;
  if (!layers.empty() && !layers.count(id.layer)) return false;
  return id.stage == models::Stage::Prefill ? prefill : decode;
}

FaultPlan::FaultPlan(const arch::BitflipConfig& bitflip, const FaultTargeting& targeting)
    : m_bitflip(bitflip), m_targeting(targeting) {
  m_bitflip.validate();
}

std::uint64_t FaultPlan::gemm_key(const models::GemmId& id) {
  // SplitMix64 over the identity fields: well mixed, and stable across builds and machines.
  auto mix = [](std::uint64_t h, std::uint64_t v) {
    std::uint64_t z = h + 0x9E3779B97F4A7C15ull + v;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::uint64_t h = 0x5AFF1AEull;
  for (std::int64_t v : {std::int64_t{id.layer}, std::int64_t{static_cast<int>(id.component)},
                         std::int64_t{static_cast<int>(id.stage)}, std::int64_t{id.head}, std::int64_t{id.pos_begin},
                         std::int64_t{id.pos_end}, std::int64_t{id.sequence}})
    h = mix(h, static_cast<std::uint64_t>(v));
  return h;
}

std::vector<arch::OutputFault> FaultPlan::sample(const models::GemmId& id, std::int64_t m, std::int64_t n) const {
  if (!m_targeting.targets(id)) return {};
  return arch::sample_output_faults(m_bitflip, gemm_key(id), m, n);
}

std::vector<arch::OutputFault> FaultPlan::faults_for(const models::GemmId& id, std::int64_t m, std::int64_t n) {
  auto faults = sample(id, m, n);
  if (!faults.empty()) {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto& f : faults) m_log.push_back({id, f});
  }
  return faults;
}

std::vector<LoggedFault> FaultPlan::log() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_log;
}

std::int64_t FaultPlan::fault_count() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return static_cast<std::int64_t>(m_log.size());
}

}  // namespace saffire::sim
