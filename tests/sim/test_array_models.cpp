// Both array fidelities against the naive triple loop (outputs) and SCALE-Sim's formula (cycles).
#include <catch2/catch.hpp>

#include <random>

#include "sim/array_model.hpp"
#include "models/workload/gemm_operands.hpp"

using namespace saffire;

namespace {

std::vector<std::int32_t> naive(const models::GemmOperands& ops) {
  const auto& s = ops.shape;
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  models::naive_int8_gemm({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
  return y;
}

sim::ArrayRunStats run(const arch::ArrayConfig& cfg, sim::Fidelity f, const models::GemmOperands& ops,
                       std::vector<std::int32_t>& y) {
  const auto& s = ops.shape;
  y.assign(static_cast<std::size_t>(s.m * s.n), 0x7eadbeef);  // garbage: the model must overwrite it
  sim::ArrayModel model(cfg, f, 1);
  return model.run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
}

void check_all(const arch::ArrayConfig& cfg, const models::GemmOperands& ops) {
  INFO("array " << cfg.rows << "x" << cfg.cols << " " << arch::to_string(cfg.dataflow) << " drain " << cfg.os_drain
                << ", GEMM m=" << ops.shape.m << " n=" << ops.shape.n << " k=" << ops.shape.k);
  const auto expected = naive(ops);
  std::vector<std::int32_t> y_pe, y_fold;
  const auto pe = run(cfg, sim::Fidelity::PE, ops, y_pe);
  const auto fold = run(cfg, sim::Fidelity::Fold, ops, y_fold);
  CHECK(y_pe == expected);
  CHECK(y_fold == expected);
  // The PE-level count is observed cycle by cycle; it must equal SCALE-Sim's closed form.
  const arch::CycleReport formula = arch::analytical_cycles(cfg, ops.shape);
  CHECK(pe.report.cycles == formula.cycles);
  CHECK(fold.report.cycles == formula.cycles);
  CHECK(pe.report.folds == formula.folds);
  CHECK(pe.report.utilization == Approx(formula.utilization));
  CHECK(pe.report.mapping_efficiency == Approx(formula.mapping_efficiency));
  // Simulated time is the cycle count times the clock period.
  CHECK(pe.sim_time_ps == static_cast<std::uint64_t>((formula.cycles + 1) * cfg.period_ps()));
  CHECK(fold.sim_time_ps == pe.sim_time_ps);
}

}  // namespace

TEST_CASE("PE-level and fold-level match the naive reference and SCALE-Sim on random shapes", "[sim][golden]") {
  std::mt19937 rng(2024);
  const std::int64_t dims[] = {1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 33, 64};
  for (int trial = 0; trial < 24; ++trial) {
    arch::ArrayConfig cfg;
    cfg.rows = static_cast<int>(1 + rng() % 9);
    cfg.cols = static_cast<int>(1 + rng() % 9);
    cfg.dataflow = trial % 2 ? arch::Dataflow::OS : arch::Dataflow::WS;
    cfg.os_drain = trial % 4 == 3;
    const arch::GemmShape shape{dims[rng() % 12], dims[rng() % 12], dims[rng() % 12]};
    check_all(cfg, models::random_gemm_operands(shape, static_cast<std::uint64_t>(trial)));
  }
}

TEST_CASE("Square arrays with non-multiple and prime shapes", "[sim][golden]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    arch::ArrayConfig cfg;
    cfg.rows = 16;
    cfg.cols = 16;
    cfg.dataflow = df;
    check_all(cfg, models::random_gemm_operands({37, 41, 53}, 3));
    check_all(cfg, models::random_gemm_operands({1, 1, 1}, 4));
    check_all(cfg, models::random_gemm_operands({1, 100, 33}, 5));
  }
}

TEST_CASE("INT8 extremes: -128 * -128 sums and wrap-around accumulation", "[sim][golden]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    arch::ArrayConfig cfg;
    cfg.rows = 8;
    cfg.cols = 4;
    cfg.dataflow = df;
    models::GemmOperands ops = models::random_gemm_operands({9, 6, 20}, 6);
    std::fill(ops.x.begin(), ops.x.end(), static_cast<std::int8_t>(-128));
    for (std::size_t i = 0; i < ops.w.size(); ++i) ops.w[i] = static_cast<std::int8_t>(i % 3 ? -128 : 127);
    check_all(cfg, ops);

    // accumulate=true adds onto Y with wrap-around (start near INT32_MAX).
    const auto& s = ops.shape;
    std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n), 2147483000);
    auto expected = y;
    models::naive_int8_gemm({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, expected.data(), s.n, true});
    for (sim::Fidelity f : {sim::Fidelity::PE, sim::Fidelity::Fold}) {
      auto got = y;
      sim::ArrayModel(cfg, f, 1).run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, got.data(), s.n, true});
      CHECK(got == expected);
    }
  }
}

TEST_CASE("Cycle counts decompose as SCALE-Sim says", "[sim][unit]") {
  arch::ArrayConfig cfg;
  cfg.rows = 4;
  cfg.cols = 4;
  cfg.dataflow = arch::Dataflow::WS;
  std::vector<std::int32_t> y;
  // WS, M=10, N=4, K=4: one fold = 4 load + (10 + 4 + 4 - 2) stream = 20 cycles; reported 19.
  CHECK(run(cfg, sim::Fidelity::PE, models::random_gemm_operands({10, 4, 4}, 1), y).report.cycles == 19);
  // OS, M=4, N=8, K=10: two folds of 4 + 4 + 10 - 2 = 16 cycles; reported 31.
  cfg.dataflow = arch::Dataflow::OS;
  CHECK(run(cfg, sim::Fidelity::PE, models::random_gemm_operands({4, 8, 10}, 1), y).report.cycles == 31);
}
