#pragma once
/// \brief FoldArrayModule: one SystemC transaction per fold (tile).
///
/// For each fold of the plan it advances simulated time by the fold's SCALE-Sim cycle count. The math
/// runs with a fast exact INT8 kernel once per output tile, at the tile's first fold (WS: a column
/// tile's reduction folds; OS: a row tile's column folds): one large call instead of many small ones. Same fold order and outputs as
/// PeArrayModule; orders of magnitude faster, so full LLM layers on 128x128 and 256x256 arrays run.
///
/// Before each fold it fetches the fold's operands from the memory target (TLM-2.0 loosely timed,
/// `memory` socket): the fold starts after the memory's wait. Time is decoupled (quantum keeper): the
/// thread yields to the SystemC scheduler once per global quantum, not once per fold.
///
/// Usage (through ArrayModel, which owns the locking):
///   module.submit(job); SystemcRuntime::instance().run_until_idle();
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "arch/fold_plan.hpp"
#include "sim/array_job.hpp"
#include "sim/fold_operand_fetch.hpp"

namespace saffire::sim {

class FoldArrayModule : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(FoldArrayModule);
  explicit FoldArrayModule(sc_core::sc_module_name name);

  tlm_utils::simple_initiator_socket<FoldArrayModule> memory;  // bound to a MemoryTargetModule

  /// Queues a job; it runs at the next SystemcRuntime::run_until_idle(). `job` must outlive it.
  void submit(ArrayJob& job);

 private:
  void run();
  // A numeric job (cfg.numerics): models::ordered_gemm once per output tile, time fold by fold.
  void run_numeric(ArrayJob& job, const arch::FoldPlan& plan, const sc_core::sc_time& fold_time);

  FoldOperandFetch m_fetch;
  tlm_utils::tlm_quantumkeeper m_qk;
  ArrayJob* m_job = nullptr;
  sc_core::sc_event m_start;
};

}  // namespace saffire::sim
