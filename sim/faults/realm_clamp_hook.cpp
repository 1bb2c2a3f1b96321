#include "sim/faults/realm_clamp_hook.hpp"

#include <algorithm>
#include <cmath>

#include "sim/faults/output_fault_apply.hpp"

namespace saffire::faults {

std::int64_t clamp_to_clean_scale(const models::llm::QuantizedGemmCall& call, std::vector<std::int32_t>& clean,
                                  models::llm::ActivationGranularity granularity,
                                  const std::vector<std::pair<std::int64_t, std::int64_t>>& words,
                                  std::vector<float>& scales) {
  const auto& a = call.args;
  models::llm::QuantizedGemmCall clean_call = call;
  clean_call.args.y = clean.data();
  clean_call.args.ldy = a.n;
  scales.resize(static_cast<std::size_t>(granularity == models::llm::ActivationGranularity::PerToken ? a.m : 1));
  models::llm::output_scales(clean_call, granularity, scales.data());
  std::int64_t changed = 0;
  for (const auto& [m, n] : words) {
    const float s_out = scales[scales.size() > 1 ? static_cast<std::size_t>(m) : 0];
    const double bound = 127.0 * s_out / call.dequant_scale(m, n);  // +-127 * s_out in INT32 units
    std::int32_t& y = a.y[m * a.ldy + n];
    const double clamped = std::clamp(static_cast<double>(y), -bound, bound);
    if (clamped != static_cast<double>(y)) {
      y = static_cast<std::int32_t>(std::trunc(clamped));
      ++changed;
    }
  }
  return changed;
}

ReaLMClampHook::ReaLMClampHook(const arch::ArrayConfig& array, std::shared_ptr<const FaultPlan> plan,
                               models::llm::ActivationGranularity granularity)
    : m_array(array), m_plan(std::move(plan)), m_granularity(granularity) {}

void ReaLMClampHook::after_gemm(const models::llm::QuantizedGemmCall& call) {
  if (!models::llm::output_requantized(call.id.component)) return;
  if (m_skip && m_skip()) return;
  const auto faults = m_plan->sample(call.id, call.args.m, call.args.n);
  if (faults.empty()) return;
  const auto& a = call.args;
  // The clean output: the engine's output with every fault undone.
  m_clean.resize(static_cast<std::size_t>(a.m * a.n));
  for (std::int64_t i = 0; i < a.m; ++i) std::copy_n(a.y + i * a.ldy, a.n, m_clean.data() + i * a.n);
  models::Int8GemmArgs clean_args = a;
  clean_args.y = m_clean.data();
  clean_args.ldy = a.n;
  for (const auto& f : faults) revert_output_fault(m_array, clean_args, f);
  std::vector<std::pair<std::int64_t, std::int64_t>> words;
  for (const auto& f : faults) words.emplace_back(f.m, f.n);
  m_clamped += clamp_to_clean_scale(call, m_clean, m_granularity, words, m_scales);
}

}  // namespace saffire::faults
