#include "sim/array_model.hpp"

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "arch/config_error.hpp"
#include "sim/fold_array_module.hpp"
#include "sim/memory_target_module.hpp"
#include "sim/pe_array_module.hpp"
#include "sim/systemc_runtime.hpp"

namespace saffire::sim {

std::string_view to_string(Fidelity f) { return f == Fidelity::PE ? "pe" : "fold"; }

Fidelity parse_fidelity(std::string_view text) {
  if (text == "pe") return Fidelity::PE;
  if (text == "fold") return Fidelity::Fold;
  throw ConfigError("fidelity: unknown value '" + std::string(text) + "' (expected pe or fold)");
}

ArrayModel::ArrayModel(const arch::ArrayConfig& cfg, Fidelity fidelity, int threads, std::string_view kernel)
    : m_cfg(cfg), m_fidelity(fidelity), m_threads(threads), m_kernel(models::make_int8_gemm_kernel(kernel)) {
  m_cfg.validate();
}

ArrayRunStats ArrayModel::run(const models::Int8GemmArgs& args) { return run_job(args, {}, nullptr); }

ArrayRunStats ArrayModel::run(const models::Int8GemmArgs& args, const std::vector<arch::OutputFault>& faults) {
  return run_job(args, {&faults, {}, nullptr}, nullptr);
}

ArrayRunStats ArrayModel::run(const models::Int8GemmArgs& args, const ArrayInjection& injection) {
  return run_job(args, injection, nullptr);
}

ArrayRunStats ArrayModel::run(const models::Int8GemmArgs& args, const ArrayInjection& injection,
                              const memory::MemoryReport& memory) {
  return run_job(args, injection, &memory);
}

ArrayRunStats ArrayModel::run(const models::NumericGemmArgs& args) {
  if (!args.x || !args.w || !args.y) throw std::invalid_argument("ArrayModel: null operand");
  models::Int8GemmArgs shape_only;
  shape_only.m = args.m;
  shape_only.n = args.n;
  shape_only.k = args.k;
  return run_job(shape_only, {}, nullptr, &args);
}

ArrayRunStats ArrayModel::run(const models::NumericGemmArgs& args, const memory::MemoryReport& memory) {
  if (!args.x || !args.w || !args.y) throw std::invalid_argument("ArrayModel: null operand");
  models::Int8GemmArgs shape_only;
  shape_only.m = args.m;
  shape_only.n = args.n;
  shape_only.k = args.k;
  return run_job(shape_only, {}, &memory, &args);
}

ArrayRunStats ArrayModel::run_job(const models::Int8GemmArgs& args, const ArrayInjection& injection,
                                  const memory::MemoryReport* memory, const models::NumericGemmArgs* numeric) {
  const arch::GemmShape shape{args.m, args.n, args.k};
  shape.validate();
  // The fold stalls of a report of another shape or array would be served to the wrong folds.
  const std::vector<std::int64_t>* fold_stalls =
      memory && !memory->fold_stall_cycles.empty() ? &memory->fold_stall_cycles : nullptr;
  if (fold_stalls) {
    const std::int64_t folds = arch::FoldPlan(m_cfg, shape).count();
    if (static_cast<std::int64_t>(fold_stalls->size()) != folds)
      throw std::invalid_argument("ArrayModel: the memory report has " + std::to_string(fold_stalls->size()) +
                                  " fold stalls, the GEMM " + std::to_string(folds) + " folds");
  }
  const auto [rule_rows, rule_cols] = std::visit(
      [](const auto& r) -> std::pair<std::int64_t, std::int64_t> {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, std::monostate>) {
          return {INT64_MAX, INT64_MAX};
        } else {
          return {r->rows(), r->cols()};
        }
      },
      injection.rule);
  if (rule_rows < m_cfg.rows || rule_cols < m_cfg.cols)
    throw std::invalid_argument("ArrayModel: the fault model covers " + std::to_string(rule_rows) + "x" +
                                std::to_string(rule_cols) + " PEs, the array has " + std::to_string(m_cfg.rows) +
                                "x" + std::to_string(m_cfg.cols));
  SystemcRuntime& rt = SystemcRuntime::instance();
  ArrayJob job;
  job.cfg = m_cfg;
  job.args = args;
  job.threads = m_threads;
  job.kernel = m_kernel.get();
  job.faults = injection.faults;
  job.rule = injection.rule;
  job.numeric = numeric;

  const auto start = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(rt.job_mutex());
    MemoryTargetModule& target = m_fidelity == Fidelity::PE ? rt.pe_memory() : rt.fold_memory();
    target.load(fold_stalls, sc_core::sc_time(m_cfg.period_ps(), sc_core::SC_PS));
    if (m_fidelity == Fidelity::PE) {
      rt.pe_array().submit(job);
    } else {
      rt.fold_array().submit(job);
    }
    rt.run_until_idle();
    job.stall_cycles = target.granted_cycles();
    target.load(nullptr, sc_core::SC_ZERO_TIME);
  }
  if (injection.accumulate_errors) {
    faults::sort_timing_errors(job.accumulate_errors);
    *injection.accumulate_errors = std::move(job.accumulate_errors);
  }
  ArrayRunStats stats;
  stats.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats.sim_time_ps = job.sim_time_ps;
  stats.stall_cycles = job.stall_cycles;
  stats.report.folds = job.folds;
  stats.report.cycles_per_fold = job.folds > 0 ? job.busy_cycles / job.folds : 0;
  stats.report.cycles = job.busy_cycles - 1;  // SCALE-Sim reports the 0-based index of the last cycle
  stats.report.macs = shape.macs();
  arch::finish_report(m_cfg, shape, stats.report);
  return stats;
}

}  // namespace saffire::sim
