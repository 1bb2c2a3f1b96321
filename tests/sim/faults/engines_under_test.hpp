#pragma once
// The engines every fault model must agree on: 0 cpu (FaultInjectingEngine), 1 PE-level array,
// 2 fold-level array, 3 fold-level array on 2 threads.
#include <cstdint>
#include <memory>
#include <vector>

#include "models/engine/cpu_engine.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/fault_injecting_engine.hpp"

namespace saffire::test {

inline constexpr int kFaultEngines = 4;

/// Y of GEMM `id` (shape and operands of `ops`) on engine `e` with `plan`'s faults.
inline std::vector<std::int32_t> run_on_engine(int e, const arch::ArrayConfig& cfg,
                                               const std::shared_ptr<faults::FaultPlan>& plan,
                                               const models::GemmOperands& ops, const models::GemmId& id = {}) {
  const arch::GemmShape& s = ops.shape;
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n), 0);
  const models::Int8GemmArgs args{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false};
  if (e == 0) {
    faults::FaultInjectingEngine cpu(models::make_cpu_engine("auto", 1), cfg, plan);
    cpu.gemm(id, args);
  } else {
    sim::ArrayGemmEngine arr(cfg, e == 1 ? sim::Fidelity::PE : sim::Fidelity::Fold, e == 3 ? 2 : 1);
    arr.set_fault_plan(plan);
    arr.gemm(id, args);
  }
  return y;
}

}  // namespace saffire::test
