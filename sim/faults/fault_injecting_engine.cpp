#include "sim/faults/fault_injecting_engine.hpp"

#include <vector>

#include "sim/faults/output_fault_apply.hpp"
#include "sim/faults/timing_fold_math.hpp"

namespace saffire::faults {

FaultInjectingEngine::FaultInjectingEngine(std::unique_ptr<models::GemmEngine> inner, const arch::ArrayConfig& array,
                                           std::shared_ptr<FaultPlan> plan)
    : m_inner(std::move(inner)), m_array(array), m_plan(std::move(plan)) {}

void FaultInjectingEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& args) {
  if (const arch::TimingModel* tm = m_plan->timing(); tm && !tm->error_free() && m_plan->targets(id)) {
    // Timing errors depend on every partial sum: the GEMM is recomputed in the array's accumulation order.
    std::vector<TimingError> errors;
    timing_gemm(m_array, *tm, args, errors);
    m_plan->log_timing_errors(id, args.m, args.n, args.k, errors);
    return;
  }
  m_inner->gemm(id, args);
  const std::vector<arch::OutputFault> faults = m_plan->faults_for(id, args.m, args.n, args.k);
  if (faults.empty()) return;
  std::vector<FaultValues> values(faults.size());
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const arch::OutputFault& f = faults[i];
    const std::int32_t& y = args.y[f.m * args.ldy + f.n];
    values[i].before = y;
    apply_output_fault(m_array, args, f);
    values[i].after = y;
  }
  m_plan->record_values(id, faults, values);
}

}  // namespace saffire::faults
