// The `timing` fault model inside the array: every accumulate of every PE checked against the
// TimingModel. PE level, fold level, the cpu engine and the array engine must find the same errors and
// produce the same outputs, equal to a scalar walk of the dataflow's accumulation order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "arch/fault_site.hpp"
#include "arch/timing/timing_model.hpp"
#include "models/engine/cpu_engine.hpp"
#include "sim/array_engine.hpp"
#include "sim/array_model.hpp"
#include "sim/faults/fault_deviation.hpp"
#include "sim/faults/fault_injecting_engine.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/faults/accumulate_fold_math.hpp"
#include "tests/sim/faults/engines_under_test.hpp"

using namespace saffire;

namespace {

struct Result {
  std::vector<std::int32_t> y;
  std::vector<faults::AccumulateError> errors;
};

// Independent reference: output by output, the accumulates in the order the dataflow does them, each
// through the scalar TimingModel::accumulate (tested against a bit-level ripple adder in arch tests).
Result reference(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::GemmOperands& ops) {
  const auto& s = ops.shape;
  Result r;
  r.y.assign(static_cast<std::size_t>(s.m * s.n), 0);
  for (std::int64_t m = 0; m < s.m; ++m) {
    for (std::int64_t n = 0; n < s.n; ++n) {
      const int c = static_cast<int>(n % cfg.cols);
      std::uint32_t out = 0;
      std::uint32_t acc = 0;
      for (std::int64_t k = 0; k < s.k; ++k) {
        // WS: the partial sum restarts at PE row 0 of every reduction tile; OS: PE (m % R, n % C) keeps it.
        const int pe_row = static_cast<int>(cfg.dataflow == arch::Dataflow::WS ? k % cfg.rows : m % cfg.rows);
        if (cfg.dataflow == arch::Dataflow::WS && k % cfg.rows == 0) acc = 0;
        const std::int32_t prod = std::int32_t{ops.x[static_cast<std::size_t>(m * s.k + k)]} *
                                  ops.w[static_cast<std::size_t>(k * s.n + n)];
        int j = -1;
        const std::uint32_t exact = acc + static_cast<std::uint32_t>(prod);
        acc = tm.accumulate(pe_row, c, acc, prod, &j);
        if (j >= 0) r.errors.push_back({m, n, k, j, exact, acc});
        const bool tile_end = cfg.dataflow == arch::Dataflow::WS && (k % cfg.rows == cfg.rows - 1 || k == s.k - 1);
        if (tile_end) out += acc;  // the output buffer adds each reduction tile's partial sum, exactly
      }
      if (cfg.dataflow == arch::Dataflow::OS) out = acc;
      r.y[static_cast<std::size_t>(m * s.n + n)] = static_cast<std::int32_t>(out);
    }
  }
  faults::sort_timing_errors(r.errors);
  return r;
}

Result run_array(const arch::ArrayConfig& cfg, sim::Fidelity f, const arch::TimingModel& tm, const models::GemmOperands& ops,
                 int threads = 1) {
  const auto& s = ops.shape;
  Result r;
  r.y.assign(static_cast<std::size_t>(s.m * s.n), 0);
  sim::ArrayModel(cfg, f, threads)
      .run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, r.y.data(), s.n, false}, {nullptr, &tm, &r.errors});
  return r;
}

arch::VoltageConfig at(double v) {
  arch::VoltageConfig vc;
  vc.v = v;
  return vc;
}

}  // namespace

TEST_CASE("Timing errors: PE level, fold level and a scalar reference agree on outputs and errors", "[sim][fault][timing]") {
  std::mt19937 rng(21);
  std::int64_t total_errors = 0;
  for (int trial = 0; trial < 16; ++trial) {
    arch::ArrayConfig cfg;
    cfg.rows = static_cast<int>(2 + rng() % 7);
    cfg.cols = static_cast<int>(2 + rng() % 7);
    cfg.dataflow = trial % 2 ? arch::Dataflow::OS : arch::Dataflow::WS;
    const arch::GemmShape shape{static_cast<std::int64_t>(1 + rng() % 17), static_cast<std::int64_t>(1 + rng() % 17),
                                static_cast<std::int64_t>(1 + rng() % 40)};
    const auto ops = models::random_gemm_operands(shape, static_cast<std::uint64_t>(500 + trial));
    // 0.5 V: safe chains of ~6 bits, many errors; 0.62 V: a few.
    const arch::TimingModel tm(at(trial % 4 < 2 ? 0.5 : 0.62), cfg.rows, cfg.cols);
    INFO("trial " << trial << " " << arch::to_string(cfg.dataflow) << " " << cfg.rows << "x" << cfg.cols << " M,N,K "
                  << shape.m << "," << shape.n << "," << shape.k);
    const Result ref = reference(cfg, tm, ops);
    const Result pe = run_array(cfg, sim::Fidelity::PE, tm, ops);
    const Result fold = run_array(cfg, sim::Fidelity::Fold, tm, ops);
    CHECK(pe.y == ref.y);
    CHECK(fold.y == ref.y);
    CHECK(pe.errors == ref.errors);
    CHECK(fold.errors == ref.errors);
    total_errors += static_cast<std::int64_t>(ref.errors.size());

    // Closed form: each error leaves its accumulate exactly 2^j short, and later adds are exact
    // additions mod 2^32, so every output is the exact product minus the sum of its 2^j.
    std::vector<std::uint32_t> expected(ref.y.size());
    std::vector<std::int32_t> clean(ref.y.size());
    models::naive_int8_gemm({shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n, clean.data(), shape.n, false});
    for (std::size_t i = 0; i < clean.size(); ++i) expected[i] = static_cast<std::uint32_t>(clean[i]);
    for (const auto& e : ref.errors) {
      CHECK(e.after == e.before - (1u << e.bit));
      expected[static_cast<std::size_t>(e.m * shape.n + e.n)] -= 1u << e.bit;
    }
    for (std::size_t i = 0; i < clean.size(); ++i) CHECK(static_cast<std::uint32_t>(fold.y[i]) == expected[i]);
  }
  CHECK(total_errors > 100);  // the comparison above saw real errors
}

TEST_CASE("Timing errors at nominal voltage: none, and the exact GEMM", "[sim][fault][timing]") {
  arch::ArrayConfig cfg;
  cfg.rows = 8;
  cfg.cols = 8;
  arch::VoltageConfig nominal = at(0.9);
  nominal.sigma = 0;  // no slow PEs: the guard band covers the full 32-bit chain
  const arch::TimingModel tm(nominal, cfg.rows, cfg.cols);
  REQUIRE(tm.error_free());
  const auto ops = models::random_gemm_operands({13, 11, 300}, 3);
  std::vector<std::int32_t> clean(13 * 11);
  models::naive_int8_gemm({13, 11, 300, ops.x.data(), 300, ops.w.data(), 11, clean.data(), 11, false});
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    cfg.dataflow = df;
    for (sim::Fidelity f : {sim::Fidelity::PE, sim::Fidelity::Fold}) {
      const Result r = run_array(cfg, f, tm, ops);
      CHECK(r.errors.empty());
      CHECK(r.y == clean);
    }
  }
}

TEST_CASE("Timing campaign: cpu engine, array engine (PE and fold) and thread counts log the same faults", "[sim][fault][timing]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    arch::ArrayConfig cfg;
    cfg.rows = 6;
    cfg.cols = 5;
    cfg.dataflow = df;
    const arch::GemmShape s{9, 12, 70};
    const auto ops = models::random_gemm_operands(s, 8);
    auto timing = std::make_shared<const arch::TimingModel>(at(0.55), cfg.rows, cfg.cols);
    const Result ref = reference(cfg, *timing, ops);
    REQUIRE(!ref.errors.empty());
    models::GemmId id;
    id.layer = 2;
    std::vector<std::vector<std::int32_t>> outputs;
    std::vector<std::vector<faults::LoggedFault>> logs;
    for (int e = 0; e < test::kFaultEngines; ++e) {
      auto plan = std::make_shared<faults::FaultPlan>(timing, faults::FaultTargeting{});
      const std::vector<std::int32_t> y = test::run_on_engine(e, cfg, plan, ops, id);
      INFO("engine " << e << " " << arch::to_string(df));
      CHECK(y == ref.y);
      CHECK(plan->fault_count() == static_cast<std::int64_t>(ref.errors.size()));
      const auto log = plan->log();
      REQUIRE(log.size() == ref.errors.size());
      for (std::size_t i = 0; i < log.size(); ++i) {
        CHECK(log[i].fault.m == ref.errors[i].m);
        CHECK(log[i].fault.n == ref.errors[i].n);
        CHECK(log[i].step == ref.errors[i].k);
        CHECK(log[i].fault.bit == ref.errors[i].bit);
        CHECK(static_cast<std::uint32_t>(log[i].values.after) == ref.errors[i].after);
        CHECK(log[i].k == s.k);
      }
    }
    // A GEMM that is not targeted runs clean.
    faults::FaultTargeting none;
    none.components.reset();
    auto plan = std::make_shared<faults::FaultPlan>(timing, none);
    std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n)), clean(y.size());
    models::naive_int8_gemm({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, clean.data(), s.n, false});
    sim::ArrayGemmEngine arr(cfg, sim::Fidelity::Fold, 1);
    arr.set_fault_plan(plan);
    arr.gemm(id, {s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
    CHECK(y == clean);
    CHECK(plan->fault_count() == 0);
  }
}

TEST_CASE("Deviation statistics count the corrupted words and their deviation from the clean output", "[sim][fault]") {
  arch::ArrayConfig cfg;
  cfg.rows = 8;
  cfg.cols = 8;
  cfg.dataflow = arch::Dataflow::OS;
  const arch::GemmShape s{20, 24, 90};
  const auto ops = models::random_gemm_operands(s, 31);
  auto timing = std::make_shared<const arch::TimingModel>(at(0.55), cfg.rows, cfg.cols);
  auto plan = std::make_shared<faults::FaultPlan>(timing, faults::FaultTargeting{});
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n)), clean(y.size());
  models::naive_int8_gemm({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, clean.data(), s.n, false});
  models::GemmId id;
  id.component = models::Component::Down;
  faults::FaultInjectingEngine cpu(models::make_cpu_engine("auto", 1), cfg, plan);
  cpu.gemm(id, {s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
  id.call_index = 1;  // a second GEMM of the same component
  std::vector<std::int32_t> y2(y.size());
  cpu.gemm(id, {s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y2.data(), s.n, false});

  std::int64_t words = 0, max_abs = 0;
  double abs_sum = 0;
  for (const auto* out : {&y, &y2})
    for (std::size_t i = 0; i < clean.size(); ++i) {
      const std::int64_t d = static_cast<std::int64_t>((*out)[i]) - clean[i];
      if (d == 0) continue;
      ++words;
      abs_sum += static_cast<double>(std::llabs(d));
      max_abs = std::max<std::int64_t>(max_abs, std::llabs(d));
    }
  REQUIRE(words > 0);
  const faults::DeviationStats stats = faults::deviation_stats(plan->log());
  const faults::ComponentDeviation& d = stats[static_cast<std::size_t>(models::Component::Down)];
  CHECK(d.faults == plan->fault_count());
  CHECK(d.faulty_gemms == 2);
  CHECK(d.faulty_words == words);
  CHECK(d.max_abs_deviation == max_abs);
  CHECK(d.mean_abs_deviation == Approx(abs_sum / static_cast<double>(words)));
  CHECK(stats[static_cast<std::size_t>(models::Component::Q)].faults == 0);
}
