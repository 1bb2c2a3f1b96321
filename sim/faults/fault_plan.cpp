#include "sim/faults/fault_plan.hpp"

#include "arch/fault_site.hpp"
#include "sim/faults/impl/fault_model_makers.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace saffire::faults {

bool FaultTargeting::targets(const models::GemmId& id) const {
  if (!components.test(static_cast<std::size_t>(id.component))) return false;
  if (!layers.empty() && !layers.count(id.layer)) return false;
  return id.stage == models::Stage::Prefill ? prefill : decode;
}

FaultPlan::FaultPlan(std::shared_ptr<const FaultModel> model, const FaultTargeting& targeting)
    : m_model(std::move(model)), m_targeting(targeting) {
  if (!m_model) throw std::invalid_argument("FaultPlan: no fault model");
  m_rule = m_model->accumulate_rule();
}

FaultPlan::FaultPlan(const BitflipConfig& bitflip, const FaultTargeting& targeting)
    : FaultPlan(std::shared_ptr<const FaultModel>(make_bitflip_model(bitflip)), targeting) {}

FaultPlan::FaultPlan(std::shared_ptr<const arch::TimingModel> timing, const FaultTargeting& targeting)
    : FaultPlan(std::shared_ptr<const FaultModel>(make_timing_model(std::move(timing))), targeting) {}

void FaultPlan::log_accumulate_errors(const models::GemmId& id, std::int64_t m, std::int64_t n, std::int64_t k,
                                  const std::vector<AccumulateError>& errors) {
  if (errors.empty()) return;
  std::lock_guard<std::mutex> lock(m_mutex);
  m_count += static_cast<std::int64_t>(errors.size());
  m_site_counts[{id.sequence, id.layer, id.component}] += static_cast<std::int64_t>(errors.size());
  for (const AccumulateError& e : errors) {
    if (m_log.size() >= kMaxLoggedFaults) break;
    LoggedFault lf{id, {e.m, e.n, e.bit}, m, n, k, true, {static_cast<std::int32_t>(e.before),
                                                         static_cast<std::int32_t>(e.after)}};
    lf.step = e.k;
    m_log.push_back(lf);
  }
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
  // A recomputation sees other faults; first executions keep the keys they always had.
  if (id.attempt != 0) h = mix(h, 0xA77E0000ull + static_cast<std::uint64_t>(id.attempt));
  return h;
}

std::vector<arch::OutputFault> FaultPlan::sample(const models::GemmId& id, std::int64_t m, std::int64_t n) const {
  if (!m_targeting.targets(id)) return {};
  std::vector<arch::OutputFault> faults = m_model->output_faults(gemm_key(id), m, n);
  if (m_remap_array) {
    // The hardware column of a word's last accumulate; k only moves the row, so K = 1 will do.
    std::erase_if(faults, [&](const arch::OutputFault& f) {
      const std::int64_t col = arch::map_to_hardware(*m_remap_array, {m, n, 1}, {f.m, f.n, 0}).pe_col;
      return std::find(m_remapped_columns.begin(), m_remapped_columns.end(), col) != m_remapped_columns.end();
    });
  }
  return faults;
}

void FaultPlan::remap_columns(const arch::ArrayConfig& array, const std::vector<int>& columns) {
  m_remap_array = array;
  m_remapped_columns = columns;
  const AccumulateRule model_rule = m_model->accumulate_rule();
  const auto* stuck = std::get_if<const StuckAtMap*>(&model_rule);
  if (!stuck) return;  // only stuck-at PEs are remapped at the accumulate level
  const StuckAtMap& original = **stuck;
  std::vector<StuckBit> kept;
  for (const StuckBit& b : original.bits())
    if (std::find(columns.begin(), columns.end(), b.col) == columns.end()) kept.push_back(b);
  m_remapped_stuck = std::make_unique<const StuckAtMap>(original.rows(), original.cols(), kept);
  m_rule = m_remapped_stuck->empty() ? AccumulateRule{} : AccumulateRule{m_remapped_stuck.get()};
}

std::vector<arch::OutputFault> FaultPlan::faults_for(const models::GemmId& id, std::int64_t m, std::int64_t n,
                                                     std::int64_t k) {
  auto faults = sample(id, m, n);
  if (!faults.empty()) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_count += static_cast<std::int64_t>(faults.size());
    m_site_counts[{id.sequence, id.layer, id.component}] += static_cast<std::int64_t>(faults.size());
    // A GEMM's faults are logged all or none, so that record_values finds them as one block.
    if (m_log.size() + faults.size() <= kMaxLoggedFaults)
      for (const auto& f : faults) m_log.push_back({id, f, m, n, k, false, {}});
  }
  return faults;
}

namespace {

bool same_gemm(const models::GemmId& a, const models::GemmId& b) {
  return a.layer == b.layer && a.component == b.component && a.stage == b.stage && a.head == b.head &&
         a.pos_begin == b.pos_begin && a.pos_end == b.pos_end && a.call_index == b.call_index &&
         a.sequence == b.sequence && a.attempt == b.attempt;
}

bool same_fault(const arch::OutputFault& a, const arch::OutputFault& b) {
  return a.m == b.m && a.n == b.n && a.bit == b.bit;
}

}  // namespace

void FaultPlan::record_values(const models::GemmId& id, const std::vector<arch::OutputFault>& faults,
                              const std::vector<FaultValues>& values) {
  if (faults.size() != values.size())
    throw std::logic_error("FaultPlan::record_values: " + std::to_string(faults.size()) + " faults but " +
                           std::to_string(values.size()) + " values");
  if (faults.empty()) return;
  std::lock_guard<std::mutex> lock(m_mutex);
  // faults_for appended this GEMM's entries in one block, under the lock; it is recent, so search
  // backwards for the block's first entry that has no values yet.
  const std::size_t count = faults.size();
  for (std::size_t start = m_log.size(); start-- > 0;) {
    if (start + count > m_log.size()) continue;
    const LoggedFault& first = m_log[start];
    if (first.has_values || !same_gemm(first.gemm, id) || !same_fault(first.fault, faults[0])) continue;
    bool match = true;
    for (std::size_t i = 1; i < count && match; ++i)
      match = !m_log[start + i].has_values && same_gemm(m_log[start + i].gemm, id) &&
              same_fault(m_log[start + i].fault, faults[i]);
    if (!match) continue;
    for (std::size_t i = 0; i < count; ++i) {
      m_log[start + i].values = values[i];
      m_log[start + i].has_values = true;
    }
    return;
  }
  if (m_count > static_cast<std::int64_t>(m_log.size())) return;  // this GEMM's faults were past the log's end
  throw std::logic_error("FaultPlan::record_values: no logged faults of GEMM " + models::to_string(id));
}

std::vector<LoggedFault> FaultPlan::logged_for(const models::GemmId& id) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  // A GEMM's faults are one block, appended under the lock by one call: the latest block, if any.
  const std::size_t end = m_log.size();
  std::size_t begin = end;
  while (begin > 0 && same_gemm(m_log[begin - 1].gemm, id)) --begin;
  return {m_log.begin() + static_cast<std::ptrdiff_t>(begin), m_log.begin() + static_cast<std::ptrdiff_t>(end)};
}

std::vector<LoggedFault> FaultPlan::log() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_log;
}

std::int64_t FaultPlan::fault_count() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_count;
}

void FaultPlan::set_sram_faults(const SramFaultConfig& cfg) {
  cfg.validate();
  m_sram = cfg;
}

std::vector<SramBitFault> FaultPlan::sram_sample(const models::GemmId& id, std::int64_t m, std::int64_t n,
                                                 std::int64_t k) const {
  if (!m_sram || !m_targeting.targets(id)) return {};
  // The residence of this execution: the GEMM's key (a recomputation has its own), salted apart from
  // the output-word faults keyed by the same identity.
  return sample_sram_faults(*m_sram, gemm_key(id) ^ 0x5EA7ED5A4Dull, m, n, k);
}

std::vector<SramBitFault> FaultPlan::sram_faults_for(const models::GemmId& id, std::int64_t m, std::int64_t n,
                                                     std::int64_t k) {
  std::vector<SramBitFault> faults = sram_sample(id, m, n, k);
  if (faults.empty()) return faults;
  std::int64_t bits = 0;
  for (const SramBitFault& f : faults) bits += std::popcount(f.mask);
  const std::lock_guard<std::mutex> lock(m_mutex);
  m_sram_words += static_cast<std::int64_t>(faults.size());
  m_sram_bits += bits;
  m_site_counts[{id.sequence, id.layer, id.component}] += static_cast<std::int64_t>(faults.size());
  return faults;
}

std::map<FaultSiteKey, std::int64_t> FaultPlan::site_counts() const {
  const std::lock_guard<std::mutex> lock(m_mutex);
  return m_site_counts;
}

std::int64_t FaultPlan::sram_fault_words() const {
  const std::lock_guard<std::mutex> lock(m_mutex);
  return m_sram_words;
}

std::int64_t FaultPlan::sram_fault_bits() const {
  const std::lock_guard<std::mutex> lock(m_mutex);
  return m_sram_bits;
}

}  // namespace saffire::faults
