#include "sim/fault_injecting_engine.hpp"

#include "sim/output_fault_apply.hpp"

namespace saffire::sim {

FaultInjectingEngine::FaultInjectingEngine(std::unique_ptr<models::GemmEngine> inner, const arch::ArrayConfig& array,
                                           std::shared_ptr<FaultPlan> plan)
    : m_inner(std::move(inner)), m_array(array), m_plan(std::move(plan)) {}

void FaultInjectingEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& args) {
  m_inner->gemm(id, args);
  for (const arch::OutputFault& f : m_plan->faults_for(id, args.m, args.n)) apply_output_fault(m_array, args, f);
}

}  // namespace saffire::sim
