#include "sim/fold_array_module.hpp"

#include <algorithm>

#include "arch/fault/fault_site.hpp"
#include "arch/fold_plan.hpp"
#include "sim/output_fault_apply.hpp"

namespace saffire::sim {

FoldArrayModule::FoldArrayModule(sc_core::sc_module_name name) : sc_core::sc_module(name) { SC_THREAD(run); }

void FoldArrayModule::submit(ArrayJob& job) {
  m_job = &job;
  m_start.notify(sc_core::SC_ZERO_TIME);
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

    job.folds = plan.count();
    job.busy_cycles = 0;
    job.timing_errors.clear();
    for (std::int64_t f = 0; f < plan.count(); ++f) {
      const arch::Fold fold = plan.fold(f);
      models::Int8GemmArgs tile;
      if (ws) {
        // Y[:, n0:n0+cols] += X[:, k0:k0+rows] * W[k0:k0+rows, n0:n0+cols]: partial sums add up over k folds.
        tile = {a.m, fold.cols_used, fold.rows_used, a.x + fold.row0, a.ldx,
                a.w + fold.row0 * a.ldw + fold.col0, a.ldw, a.y + fold.col0, a.ldy, true};
      } else {
        // Y[m0:m0+rows, n0:n0+cols] (=|+=) X[m0:m0+rows, :] * W[:, n0:n0+cols]: one output tile per fold.
        tile = {fold.rows_used, fold.cols_used, a.k, a.x + fold.row0 * a.ldx, a.ldx,
                a.w + fold.col0, a.ldw, a.y + fold.row0 * a.ldy + fold.col0, a.ldy, a.accumulate};
      }
      if (job.timing) {
        timing_fold(job.cfg, *job.timing, a, fold, job.timing_errors);
      } else {
        job.kernel->run(tile, job.threads);
      }
      for (; next_fault < faults.size() && faults[next_fault].first == f; ++next_fault)
        apply_output_fault(job.cfg, a, *faults[next_fault].second);
      wait(fold_time);
      job.busy_cycles += per_fold;
    }
    job.sim_time_ps = (sc_core::sc_time_stamp() - begin).value();
    m_job = nullptr;
  }
}

}  // namespace saffire::sim
