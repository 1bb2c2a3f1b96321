#pragma once
/// \brief PeArrayModule: cycle-by-cycle model of every PE register of a systolic array.
///
/// One SC_THREAD advances the whole array one clock per `wait(period)`; PE state lives in plain
/// arrays (one sc_module with signals per PE is ~40x slower). Inputs are skewed as on a real array:
///  - WS: R cycles shift the weight tile down the columns, then row r receives X[m][k0+r] at stream
///    cycle m + r; activations move right, partial sums move down, Y[m][n0+c] leaves PE(R-1, c) at
///    cycle m + R - 1 + c.
///  - OS: row r receives X[m0+r][k] at cycle k + r (moving right), column c receives W[k][n0+c] at
///    cycle k + c (moving down); PE(r, c) accumulates Y[m0+r][n0+c] in place.
/// A fold ends when valid-bit tracking shows every output has left (WS) or every PE has done its K
/// MACs (OS), so the cycle count is observed, not computed from a formula.
///
/// Before each fold it fetches the fold's operands from the memory target (TLM-2.0 loosely timed,
/// `memory` socket) and syncs its quantum keeper: the fold's first clock comes after the memory's wait.
///
/// Usage (through ArrayModel, which owns the locking):
///   module.submit(job); SystemcRuntime::instance().run_until_idle(); // job.busy_cycles, job.args.y filled
#include <cstdint>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

#include "arch/fold_plan.hpp"
#include "arch/numerics/pe_arithmetic.hpp"
#include "sim/array_job.hpp"
#include "sim/fold_operand_fetch.hpp"

namespace saffire::sim {

class PeArrayModule : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(PeArrayModule);
  explicit PeArrayModule(sc_core::sc_module_name name);

  tlm_utils::simple_initiator_socket<PeArrayModule> memory;  // bound to a MemoryTargetModule

  /// Queues a job; it runs at the next SystemcRuntime::run_until_idle(). `job` must outlive it.
  void submit(ArrayJob& job);

 private:
  void run();
  // Rule: the accumulate of one PE (exact, timing or stuck-at; see the .cpp), chosen once per GEMM.
  template <typename Rule>
  void run_folds(const arch::FoldPlan& plan, const Rule& rule);
  template <typename Rule>
  std::int64_t run_ws_fold(const arch::Fold& fold, const Rule& rule);
  template <typename Rule>
  std::int64_t run_os_fold(const arch::Fold& fold, const Rule& rule);
  // The same walk with values of cfg.numerics (sim/pe_array_numeric.cpp): every PE step and output-buffer
  // add rounded by arch::PeArithmetic.
  void run_numeric_folds(const arch::FoldPlan& plan);
  std::int64_t run_ws_fold_numeric(const arch::Fold& fold, const arch::PeArithmetic& arith);
  std::int64_t run_os_fold_numeric(const arch::Fold& fold, const arch::PeArithmetic& arith);
  void tick();  // one clock edge
  /// Flips the scheduled faults of (fold, cycle) into the accumulator registers.
  void inject_faults(std::int64_t fold, std::int64_t cycle);

  struct PeFault {
    std::int64_t fold, cycle, pe_row, pe_col;
    std::uint32_t mask;
  };
  std::vector<PeFault> m_faults;  // sorted by (fold, cycle)
  std::size_t m_next_fault = 0;

  FoldOperandFetch m_fetch;
  tlm_utils::tlm_quantumkeeper m_qk;
  ArrayJob* m_job = nullptr;
  sc_core::sc_event m_start;
  sc_core::sc_time m_period;
  std::int64_t m_R = 0, m_C = 0;

  // PE state, (R, C) row-major. Values are kept in 32-bit words so the update loops vectorize.
  std::vector<std::int32_t> m_act;     // activation register (moves right)
  std::vector<std::int32_t> m_wgt;     // WS: stationary weight; OS: weight register (moves down)
  std::vector<std::uint32_t> m_acc;    // WS: partial sum (moves down); OS: stationary accumulator
  std::vector<std::uint8_t> m_act_valid, m_wgt_valid;
  std::vector<std::uint32_t> m_zero_row;  // (C): the partial sum PE row 0 adds to (WS)
  // Numeric jobs: the same registers holding values of the job's formats.
  std::vector<double> m_num_act, m_num_wgt, m_num_acc;
};

}  // namespace saffire::sim
