#include "sim/fold_array_module.hpp"

#include <algorithm>

#include "arch/fault_site.hpp"
#include "arch/fold_plan.hpp"
#include "sim/faults/accumulate_fold_math.hpp"
#include "sim/faults/output_fault_apply.hpp"
#include "sim/faults/stuck_at.hpp"

namespace saffire::sim {

FoldArrayModule::FoldArrayModule(sc_core::sc_module_name name) : sc_core::sc_module(name), memory("memory") {
  SC_THREAD(run);
}

void FoldArrayModule::submit(ArrayJob& job) {
  m_job = &job;
  m_start.notify(sc_core::SC_ZERO_TIME);
}

void FoldArrayModule::run_numeric(ArrayJob& job, const arch::FoldPlan& plan, const sc_core::sc_time& fold_time) {
  const models::NumericGemmArgs& a = *job.numeric;
  const models::AccumulationOrder order = models::accumulation_order(job.cfg);
  job.folds = plan.count();
  job.busy_cycles = 0;
  job.accumulate_errors.clear();
  m_qk.reset();
  for (std::int64_t f = 0; f < plan.count(); ++f) {
    m_fetch.fetch(memory, m_qk, f);  // the fold waits for its operands (2-byte BF16/FP16, 1-byte FP8 words)
    // The whole GEMM's math runs at the first fold, in the dataflow's order: each output's chain (and,
    // for WS, its fold partial sums in fold order) does not depend on how the outputs are tiled, so one
    // call gives what the tile-by-tile array computes, converting the operands only once.
    if (f == 0) models::ordered_gemm(a, job.cfg.numerics, order, job.threads);
    m_qk.inc(fold_time);
    if (m_qk.need_sync()) m_qk.sync();
    job.busy_cycles += plan.cycles_per_fold();
  }
  m_qk.sync();
}

void FoldArrayModule::run() {
  for (;;) {
    wait(m_start);
    ArrayJob& job = *m_job;
    const sc_core::sc_time begin = sc_core::sc_time_stamp();
    const models::Int8GemmArgs& a = job.args;
    const arch::FoldPlan plan(job.cfg, {a.m, a.n, a.k});
    const std::int64_t per_fold = plan.cycles_per_fold();
    const sc_core::sc_time fold_time(job.cfg.period_ps() * static_cast<double>(per_fold), sc_core::SC_PS);
    const bool ws = job.cfg.dataflow == arch::Dataflow::WS;
    if (job.numeric) {
      run_numeric(job, plan, fold_time);
      job.sim_time_ps = (sc_core::sc_time_stamp() - begin).value();
      m_job = nullptr;
      continue;
    }
    if (ws && !a.accumulate)
      for (std::int64_t i = 0; i < a.m; ++i) std::fill_n(a.y + i * a.ldy, a.n, 0);

    // Faults grouped by the fold whose accumulate they hit (that of reduction step K-1).
    std::vector<std::pair<std::int64_t, const arch::OutputFault*>> faults;
    if (job.faults) {
      for (const arch::OutputFault& f : *job.faults)
        faults.emplace_back(arch::map_to_hardware(job.cfg, {a.m, a.n, a.k}, {f.m, f.n, a.k - 1}).fold, &f);
      std::stable_sort(faults.begin(), faults.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    }
    std::size_t next_fault = 0;

    m_qk.reset();
    job.folds = plan.count();
    job.busy_cycles = 0;
    job.accumulate_errors.clear();
    const auto* timing = std::get_if<const arch::TimingModel*>(&job.rule);
    const auto* stuck = std::get_if<const faults::StuckAtMap*>(&job.rule);
    for (std::int64_t f = 0; f < plan.count(); ++f) {
      const arch::Fold fold = plan.fold(f);
      m_fetch.fetch(memory, m_qk, f);  // the fold waits for its operands
      // The math of a whole output tile runs at its first fold (WS: all reduction folds of a column tile;
      // OS: all column tiles of a row tile), as one large exact kernel call; simulated time still
      // advances fold by fold below, and faults are applied per fold (their correction does not depend
      // on the order of exact additions).
      if (timing) {
        faults::timing_fold(job.cfg, **timing, a, fold, job.accumulate_errors);
      } else if (ws && fold.row0 == 0) {
        // Y[:, n0:n0+cols] += X * W[:, n0:n0+cols] (Y was zeroed above unless accumulating).
        job.kernel->run({a.m, fold.cols_used, a.k, a.x, a.ldx, a.w + fold.col0, a.ldw, a.y + fold.col0, a.ldy, true},
                        job.threads);
      } else if (!ws && fold.col0 == 0) {
        // Y[m0:m0+rows, :] (=|+=) X[m0:m0+rows, :] * W.
        job.kernel->run({fold.rows_used, a.n, a.k, a.x + fold.row0 * a.ldx, a.ldx, a.w, a.ldw, a.y + fold.row0 * a.ldy,
                         a.ldy, a.accumulate},
                        job.threads);
      }
      // Stuck-at PEs: the outputs that passed them in this fold are walked and corrected (exact y above).
      if (stuck) faults::stuck_at_fold(job.cfg, **stuck, a, fold, job.accumulate_errors);
      for (; next_fault < faults.size() && faults[next_fault].first == f; ++next_fault)
        faults::apply_output_fault(job.cfg, a, *faults[next_fault].second);
      m_qk.inc(fold_time);
      if (m_qk.need_sync()) m_qk.sync();
      job.busy_cycles += per_fold;
    }
    m_qk.sync();
    job.sim_time_ps = (sc_core::sc_time_stamp() - begin).value();
    m_job = nullptr;
  }
}

}  // namespace saffire::sim
