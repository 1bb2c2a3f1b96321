#pragma once
// ArrayModel: runs one GEMM on the simulated systolic array, at PE or fold fidelity.
// Both fidelities produce bit-identical INT32 outputs and the same cycle count.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <vector>

#include "arch/array_config.hpp"
#include "sim/faults/bitflip_fault.hpp"
#include "arch/fold_plan.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "sim/faults/accumulate_fold_math.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::sim {

enum class Fidelity { PE, Fold };
std::string_view to_string(Fidelity f);
/// Parses "pe" or "fold"; throws ConfigError otherwise.
Fidelity parse_fidelity(std::string_view text);

struct ArrayRunStats {
  arch::CycleReport report;    // cycles in SCALE-Sim convention (0-based index of the last output cycle)
  std::uint64_t sim_time_ps = 0;  // SystemC time the GEMM took (compute + the folds' waits for operands)
  std::int64_t stall_cycles = 0;  // cycles the memory target made the folds wait (0 without a memory report)
  double host_seconds = 0;        // wall time of the simulation on this machine
};

/// What one GEMM gets injected into the array's accumulators.
struct ArrayInjection {
  const std::vector<arch::OutputFault>* faults = nullptr;  // output-word bit flips (bitflip and table models)
  faults::AccumulateRule rule;                              // at every accumulate (timing, stuck-at models)
  std::vector<faults::AccumulateError>* accumulate_errors = nullptr;  // with a rule: receives them, canonical order
};

class ArrayModel {
 public:
  /// `threads`: host threads for the fold-level math (0 = all); `kernel`: INT8 kernel name ("auto").
  ArrayModel(const arch::ArrayConfig& cfg, Fidelity fidelity, int threads = 0, std::string_view kernel = "auto");

  /// Computes args.y = args.x * args.w (or += with args.accumulate) on the array. Thread-safe: jobs
  /// from several threads are serialized (SystemC has one scheduler per process).
  ArrayRunStats run(const models::Int8GemmArgs& args);
  /// Same, with output-word bit flips injected in the array's accumulators (see sim/faults/bitflip_fault.hpp).
  ArrayRunStats run(const models::Int8GemmArgs& args, const std::vector<arch::OutputFault>& faults);
  /// Same, with any injection; an accumulate rule must cover the array (rows x cols).
  ArrayRunStats run(const models::Int8GemmArgs& args, const ArrayInjection& injection);
  /// args.y = args.x * args.w in the config's number formats (cfg.numerics), in the dataflow's own
  /// accumulation order (models/gemm/ordered_gemm.hpp); both fidelities give bit-identical outputs.
  /// No fault injection in this path.
  ArrayRunStats run(const models::NumericGemmArgs& args);
  /// Same, each fold waiting for its operands as `memory` says (as the INT8 run below).
  ArrayRunStats run(const models::NumericGemmArgs& args, const memory::MemoryReport& memory);
  /// Same, each fold waiting for its operands as `memory` (the MemoryModel's report of this GEMM on this
  /// array) says: simulated time = (memory.total_cycles + 1) cycles; outputs and compute cycles unchanged.
  ArrayRunStats run(const models::Int8GemmArgs& args, const ArrayInjection& injection,
                    const memory::MemoryReport& memory);

  const arch::ArrayConfig& config() const { return m_cfg; }
  Fidelity fidelity() const { return m_fidelity; }
  const models::Int8GemmKernel& kernel() const { return *m_kernel; }

 private:
  arch::ArrayConfig m_cfg;
  Fidelity m_fidelity;
  int m_threads;
  ArrayRunStats run_job(const models::Int8GemmArgs& args, const ArrayInjection& injection,
                        const memory::MemoryReport* memory, const models::NumericGemmArgs* numeric = nullptr);
  std::unique_ptr<models::Int8GemmKernel> m_kernel;
};

}  // namespace saffire::sim
