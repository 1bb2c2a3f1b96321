#include "sim/array_engine.hpp"

namespace saffire::sim {

ArrayGemmEngine::ArrayGemmEngine(const arch::ArrayConfig& cfg, Fidelity fidelity, int threads, std::string_view kernel)
    : m_model(cfg, fidelity, threads, kernel) {}

void ArrayGemmEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& args) {
  const ArrayRunStats stats =
      m_plan ? m_model.run(args, m_plan->faults_for(id, args.m, args.n)) : m_model.run(args);
  for (ArrayEngineTotals* t : {&m_totals, &m_by_kind[static_cast<std::size_t>(id.component)][static_cast<std::size_t>(id.stage)]}) {
    t->gemms += 1;
    t->cycles += stats.report.cycles + 1;
    t->macs += stats.report.macs;
  }
}

}  // namespace saffire::sim
