#pragma once
// ArrayGemmEngine: the `array` GemmEngine. Every model GEMM runs on the SystemC array model
// (fold level by default), which also accounts its cycles; totals are kept per component and stage.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/engine/gemm_engine.hpp"
#include "sim/array_model.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::sim {

struct ArrayEngineTotals {
  std::int64_t gemms = 0;
  std::int64_t cycles = 0;  // sum over GEMMs of busy cycles (each GEMM's reported cycles + 1)
  std::int64_t macs = 0;
  std::int64_t stall_cycles = 0;  // sum over GEMMs of the cycles the folds waited for operands (memory model)
};

/// One GEMM shape the array ran behind a memory model: the model's report and how many GEMMs had it.
struct ArrayMemoryUse {
  memory::MemoryReport report;
  std::int64_t gemms = 0;
};

class ArrayGemmEngine final : public models::GemmEngine {
 public:
  /// `memory`: the folds of each GEMM (INT8 or numeric_gemm) wait for their operands as this model reports for the shape
  /// (ArrayModel::run with the report); null: operands are always ready.
  ArrayGemmEngine(const arch::ArrayConfig& cfg, Fidelity fidelity = Fidelity::Fold, int threads = 0,
                  std::string_view kernel = "auto", std::shared_ptr<const memory::MemoryModel> memory = nullptr);

  std::string_view name() const override { return "array"; }
  void gemm(const models::GemmId& id, const models::Int8GemmArgs& args) override;
  /// The GEMM in the array's number formats and order; a fault plan's output-word flips are applied to the
  /// result in the array's order (sim/faults/numeric_output_faults.hpp); the timing model recomputes it. The folds
  /// wait for their operands as the memory model says, in the words of its [memory] input/output_word_bytes.
  void numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& args) override;
  /// The same array (rows, columns, dataflow, clock) with PEs in `numerics`; cycles count in the same totals.
  void numeric_gemm_as(const models::GemmId& id, const models::NumericGemmArgs& args,
                       const arch::PeNumerics& numerics) override;

  const ArrayEngineTotals& totals() const { return m_totals; }
  const ArrayEngineTotals& totals(models::Component c, models::Stage s) const {
    return m_by_kind[static_cast<std::size_t>(c)][static_cast<std::size_t>(s)];
  }
  const ArrayModel& model() const { return m_model; }
  /// The memory model (null without one), the report of each shape it served, keyed {m, n, k}.
  const memory::MemoryModel* memory_model() const { return m_memory.get(); }
  const std::map<std::array<std::int64_t, 3>, ArrayMemoryUse>& memory_uses() const { return m_memory_uses; }
  /// From now on, remember each GEMM's identity and shape in call order (for per-GEMM trace rows).
  void log_gemms() { m_log_gemms = true; }
  const std::vector<std::pair<models::GemmId, std::array<std::int64_t, 3>>>& gemm_log() const { return m_gemm_log; }
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
  std::shared_ptr<const memory::MemoryModel> m_memory;
  std::map<std::array<std::int64_t, 3>, ArrayMemoryUse> m_memory_uses;  // model GEMMs repeat a few shapes
  bool m_log_gemms = false;
  std::vector<std::pair<models::GemmId, std::array<std::int64_t, 3>>> m_gemm_log;
  ArrayEngineTotals m_totals;
  std::array<std::array<ArrayEngineTotals, 2>, models::kNumComponents> m_by_kind{};
};

}  // namespace saffire::sim
