#include "sim/faults/fault_injecting_engine.hpp"

#include <vector>

#include "arch/config_error.hpp"

#include "sim/faults/accumulate_fold_math.hpp"
#include "sim/faults/numeric_output_faults.hpp"
#include "sim/faults/output_fault_apply.hpp"
#include "sim/faults/sram_faults.hpp"

namespace saffire::faults {

FaultInjectingEngine::FaultInjectingEngine(std::unique_ptr<models::GemmEngine> inner, const arch::ArrayConfig& array,
                                           std::shared_ptr<FaultPlan> plan)
    : m_inner(std::move(inner)), m_array(array), m_plan(std::move(plan)) {}

void FaultInjectingEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& given) {
  // SRAM errors: the array reads its operands from the scratchpads' (faulty) copies.
  const SramCopy stored(given, m_plan->sram_faults_for(id, given.m, given.n, given.k));
  const models::Int8GemmArgs& args = stored.args();
  if (const AccumulateRule rule = m_plan->accumulate_rule(id); has_rule(rule)) {
    // The rule acts at every accumulate: the GEMM is walked (timing) or repaired (stuck-at) in the
    // array's accumulation order.
    std::vector<AccumulateError> errors;
    rule_gemm(m_array, rule, args, [&] { m_inner->gemm(id, args); }, errors);
    m_plan->log_accumulate_errors(id, args.m, args.n, args.k, errors);
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

void FaultInjectingEngine::numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& args) {
  numeric_gemm_with_faults(*m_plan, id, m_array, args, [&] { m_inner->numeric_gemm(id, args); });
}

void FaultInjectingEngine::numeric_gemm_as(const models::GemmId& /*id*/, const models::NumericGemmArgs& /*args*/,
                                           const arch::PeNumerics& numerics) {
  throw ConfigError("fault injection on floating-point PEs runs in the array's own formats, not in a second design (" +
                    arch::describe(numerics) + ")");
}

}  // namespace saffire::faults
