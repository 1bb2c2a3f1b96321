#pragma once
// ReaLMClampHook: ReaLM's re-quantization rule for faulty outputs. Outputs that feed a later GEMM
// (Q, K, V, Gate, Up, PV) are clamped to +-127 * s_out, where s_out is the abs-max scale of the
// *clean* output; O and Down feed the residual stream unclamped. The clean output is recovered by
// undoing the plan's faults (they are a pure function of the GEMM's identity), so no second GEMM runs.
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "arch/array_config.hpp"
#include "models/llm/gemm_hook.hpp"
#include "models/llm/quantize.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::faults {

/// ReaLM's clamp itself: the words of call.args.y at `words` (output (m, n) coordinates) are clamped to
/// +-127 * s_out, s_out the abs-max scale of `clean` (the clean output, (m, n) contiguous). `scales` is
/// scratch space. Returns how many words it changed. Shared by every hook that knows its clean output.
std::int64_t clamp_to_clean_scale(const models::llm::QuantizedGemmCall& call, std::vector<std::int32_t>& clean,
                                  models::llm::ActivationGranularity granularity,
                                  const std::vector<std::pair<std::int64_t, std::int64_t>>& words,
                                  std::vector<float>& scales);

class ReaLMClampHook final : public models::llm::GemmHook {
 public:
  ReaLMClampHook(const arch::ArrayConfig& array, std::shared_ptr<const FaultPlan> plan,
                 models::llm::ActivationGranularity granularity);
  void after_gemm(const models::llm::QuantizedGemmCall& call) override;
  std::int64_t clamped() const { return m_clamped; }
  /// Leaves a GEMM alone when `skip()` says so (ABFT rewrote its output: the faults are gone).
  void skip_when(std::function<bool()> skip) { m_skip = std::move(skip); }

 private:
  arch::ArrayConfig m_array;
  std::shared_ptr<const FaultPlan> m_plan;
  models::llm::ActivationGranularity m_granularity;
  std::vector<std::int32_t> m_clean;
  std::vector<float> m_scales;
  std::int64_t m_clamped = 0;
  std::function<bool()> m_skip;
};

}  // namespace saffire::faults
