#pragma once
// FaultInjectingEngine: wraps an engine that does not simulate the array (cpu, cuda) and adds the
// plan's faults to its clean outputs with the array's semantics for the given array config, so its
// outputs equal the array engine's bit for bit. (The array engine injects inside the SystemC model.)
// With the timing model the targeted GEMMs are computed by timing_gemm instead of the inner engine.
#include <memory>

#include "arch/array_config.hpp"
#include "models/engine/gemm_engine.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::faults {

class FaultInjectingEngine final : public models::GemmEngine {
 public:
  FaultInjectingEngine(std::unique_ptr<models::GemmEngine> inner, const arch::ArrayConfig& array,
                       std::shared_ptr<FaultPlan> plan);
  std::string_view name() const override { return m_inner->name(); }
  void gemm(const models::GemmId& id, const models::Int8GemmArgs& args) override;
  /// The inner engine's numeric GEMM, then the plan's output-word flips (sim/faults/numeric_output_faults.hpp).
  void numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& args) override;
  /// Refused, as on the array engine: the faults belong to the array's own formats.
  void numeric_gemm_as(const models::GemmId& id, const models::NumericGemmArgs& args,
                       const arch::PeNumerics& numerics) override;

 private:
  std::unique_ptr<models::GemmEngine> m_inner;
  arch::ArrayConfig m_array;
  std::shared_ptr<FaultPlan> m_plan;
};

}  // namespace saffire::faults
