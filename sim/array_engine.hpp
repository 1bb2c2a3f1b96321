#pragma once
// ArrayGemmEngine: the `array` GemmEngine. Every model GEMM runs on the SystemC array model
// (fold level by default), which also accounts its cycles; totals are kept per component and stage.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "models/engine/gemm_engine.hpp"
#include "sim/array_model.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::sim {

struct ArrayEngineTotals {
  std::int64_t gemms = 0;
  std::int64_t cycles = 0;  // sum over GEMMs of busy cycles (each GEMM's reported cycles + 1)
  std::int64_t macs = 0;
};

class ArrayGemmEngine final : public models::GemmEngine {
 public:
  ArrayGemmEngine(const arch::ArrayConfig& cfg, Fidelity fidelity = Fidelity::Fold, int threads = 0,
                  std::string_view kernel = "auto");

  std::string_view name() const override { return "array"; }
  void gemm(const models::GemmId& id, const models::Int8GemmArgs& args) override;
  /// The GEMM in the array's number formats and order; a fault plan's output-word flips are applied to the
  /// result in the array's order (sim/faults/numeric_output_faults.hpp); other fault models are refused.
  void numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& args) override;
  /// The same array (rows, columns, dataflow, clock) with PEs in `numerics`; cycles count in the same totals.
  void numeric_gemm_as(const models::GemmId& id, const models::NumericGemmArgs& args,
                       const arch::PeNumerics& numerics) override;

  const ArrayEngineTotals& totals() const { return m_totals; }
  const ArrayEngineTotals& totals(models::Component c, models::Stage s) const {
    return m_by_kind[static_cast<std::size_t>(c)][static_cast<std::size_t>(s)];
  }
  const ArrayModel& model() const { return m_model; }
  /// Faults from `plan` are injected into the array's accumulators from now on (nullptr: none).
  void set_fault_plan(std::shared_ptr<faults::FaultPlan> plan) { m_plan = std::move(plan); }

 private:
  void count(const models::GemmId& id, const ArrayRunStats& stats);

  ArrayModel m_model;
  Fidelity m_fidelity;
  int m_threads;
  std::string m_kernel;
  // numeric_gemm_as: the same array with other PE formats, by describe(numerics), made on first use.
  std::map<std::string, std::unique_ptr<ArrayModel>> m_other_pes;
  std::shared_ptr<faults::FaultPlan> m_plan;
  ArrayEngineTotals m_totals;
  std::array<std::array<ArrayEngineTotals, 2>, models::kNumComponents> m_by_kind{};
};

}  // namespace saffire::sim
