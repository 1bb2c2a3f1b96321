#include "sim/array_engine.hpp"

#include <array>
#include <utility>
#include <vector>

#include "arch/config_error.hpp"

#include "sim/faults/numeric_output_faults.hpp"
#include "sim/faults/output_fault_apply.hpp"
#include "sim/faults/sram_faults.hpp"

namespace saffire::sim {
namespace {

// Each faulty word as the run left it (after) and without its fault (before), recovered with
// faults::revert_output_fault on a one-word copy: the operands are offset so that the fault sits at (0, 0).
std::vector<faults::FaultValues> output_values(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& args,
                                       const std::vector<arch::OutputFault>& faults) {
  std::vector<faults::FaultValues> values(faults.size());
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const arch::OutputFault& f = faults[i];
    std::int32_t word = args.y[f.m * args.ldy + f.n];
    values[i].after = word;
    models::Int8GemmArgs one = args;
    one.m = 1;
    one.n = 1;
    one.x = args.x + f.m * args.ldx;
    one.w = args.w + f.n;
    one.y = &word;
    faults::revert_output_fault(cfg, one, {0, 0, f.bit});
    values[i].before = word;
  }
  return values;
}

}  // namespace

ArrayGemmEngine::ArrayGemmEngine(const arch::ArrayConfig& cfg, Fidelity fidelity, int threads, std::string_view kernel,
                                 std::shared_ptr<const memory::MemoryModel> memory)
    : m_model(cfg, fidelity, threads, kernel), m_fidelity(fidelity), m_threads(threads), m_kernel(kernel),
      m_memory(std::move(memory)) {}

void ArrayGemmEngine::count(const models::GemmId& id, const ArrayRunStats& stats) {
  for (ArrayEngineTotals* t : {&m_totals, &m_by_kind[static_cast<std::size_t>(id.component)][static_cast<std::size_t>(id.stage)]}) {
    t->gemms += 1;
    t->cycles += stats.report.cycles + 1;
    t->macs += stats.report.macs;
    t->stall_cycles += stats.stall_cycles;
  }
}

void ArrayGemmEngine::numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& args) {
  ArrayRunStats stats;
  const std::array<std::int64_t, 3> shape{args.m, args.n, args.k};
  if (m_log_gemms) m_gemm_log.emplace_back(id, shape);
  const memory::MemoryReport* report = nullptr;
  if (m_memory) {  // as in gemm(): one report per shape
    auto [it, fresh] = m_memory_uses.try_emplace(shape);
    if (fresh) it->second.report = m_memory->simulate(m_model.config(), {args.m, args.n, args.k});
    it->second.gemms += 1;
    report = &it->second.report;
  }
  const auto run = [&] { stats = report ? m_model.run(args, *report) : m_model.run(args); };
  // Output-word flips on the array's clean result, in the array's order (the same walk as every engine).
  if (m_plan) {
    faults::numeric_gemm_with_faults(*m_plan, id, m_model.config(), args, run);
  } else {
    run();
  }
  count(id, stats);
}

void ArrayGemmEngine::numeric_gemm_as(const models::GemmId& id, const models::NumericGemmArgs& args,
                                      const arch::PeNumerics& numerics) {
  if (m_plan) throw ConfigError("array engine: fault injection on floating-point PEs runs in the array's own "
                                "formats, not in a second design (" + arch::describe(numerics) + ")");
  std::unique_ptr<ArrayModel>& model = m_other_pes[arch::describe(numerics)];
  if (!model) {
    arch::ArrayConfig cfg = m_model.config();
    cfg.numerics = numerics;
    cfg.operand_bits = arch::info(numerics.operand).bits;
    cfg.accumulator_bits = arch::info(numerics.accumulator).bits;
    model = std::make_unique<ArrayModel>(cfg, m_fidelity, m_threads, m_kernel);
  }
  count(id, model->run(args));
}

void ArrayGemmEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& given) {
  if (!m_model.config().numerics.is_int8())
    throw ConfigError("arch.operand_type: the model's INT8 GEMMs need an INT8 array; this config's PEs are " +
                      arch::describe(m_model.config().numerics));
  // SRAM errors: the SystemC array reads X and W from the scratchpads' (faulty) copies, at either fidelity.
  const faults::SramCopy stored(given, m_plan ? m_plan->sram_faults_for(id, given.m, given.n, given.k)
                                              : std::vector<faults::SramBitFault>{});
  const models::Int8GemmArgs& args = stored.args();
  std::vector<arch::OutputFault> faults;
  std::vector<faults::AccumulateError> accumulate_errors;
  ArrayInjection injection;
  if (m_plan) {
    faults = m_plan->faults_for(id, args.m, args.n, args.k);
    injection.faults = &faults;
    injection.rule = m_plan->accumulate_rule(id);
    injection.accumulate_errors = &accumulate_errors;
  }
  const std::array<std::int64_t, 3> shape{args.m, args.n, args.k};
  if (m_log_gemms) m_gemm_log.emplace_back(id, shape);
  ArrayRunStats stats;
  if (m_memory) {
    // The report depends on the shape alone (MemoryModel::simulate is deterministic and stateless).
    auto [it, fresh] = m_memory_uses.try_emplace(shape);
    if (fresh) it->second.report = m_memory->simulate(m_model.config(), {args.m, args.n, args.k});
    it->second.gemms += 1;
    stats = m_model.run(args, injection, it->second.report);
  } else {
    stats = m_model.run(args, injection);
  }
  if (!faults.empty()) m_plan->record_values(id, faults, output_values(m_model.config(), args, faults));
  if (!accumulate_errors.empty()) m_plan->log_accumulate_errors(id, args.m, args.n, args.k, accumulate_errors);
  count(id, stats);
}

}  // namespace saffire::sim
