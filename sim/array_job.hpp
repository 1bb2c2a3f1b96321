#pragma once
// ArrayJob: one GEMM handed to a SystemC array module, and what the module reports back.
#include <cstdint>

#include <vector>

#include "arch/array_config.hpp"
#include "sim/faults/bitflip_fault.hpp"
#include "sim/faults/fault_model.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "sim/faults/accumulate_fold_math.hpp"

namespace saffire::sim {

struct ArrayJob {
  arch::ArrayConfig cfg;
  models::Int8GemmArgs args;  // Y = X * W (args.accumulate is honoured); only m, n, k when `numeric` is set
  // Set: the GEMM runs in cfg.numerics (floating point or INT16), in the dataflow's accumulation order
  // (models/gemm/ordered_gemm.hpp); no faults or accumulate rule then.
  const models::NumericGemmArgs* numeric = nullptr;
  int threads = 0;            // host threads for the fold math (0 = all)
  const models::Int8GemmKernel* kernel = nullptr;  // fold-level math; unused by the PE-level model
  const std::vector<arch::OutputFault>* faults = nullptr;  // output-word bit flips to inject (row-major order)
  faults::AccumulateRule rule;  // applied at every accumulate (covers the array), or monostate

  // Filled by the module:
  std::int64_t folds = 0;         // folds executed
  std::int64_t busy_cycles = 0;   // cycles the array was busy, counted cycle by cycle (PE) or per fold (fold)
  std::uint64_t sim_time_ps = 0;  // SystemC time the job took (its folds' waits for operands included)
  std::int64_t stall_cycles = 0;  // set by ArrayModel: the cycles the memory target made the folds wait
  std::vector<faults::AccumulateError> accumulate_errors;  // with a rule: the accumulates that failed (any order)
};

}  // namespace saffire::sim
