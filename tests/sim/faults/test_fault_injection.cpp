// Bitflip faults: the same faults and the same faulty outputs on PE-level, fold-level and the cpu
// engine (which only knows the mapping), and fault counts that follow the BER.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "arch/fault_site.hpp"
#include "models/engine/cpu_engine.hpp"
#include "sim/array_engine.hpp"
#include "sim/array_model.hpp"
#include "sim/faults/fault_injecting_engine.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/faults/output_fault_apply.hpp"
#include "sim/faults/realm_clamp_hook.hpp"

using namespace saffire;

namespace {

std::vector<std::int32_t> run_array(const arch::ArrayConfig& cfg, sim::Fidelity f, const models::GemmOperands& ops,
                                    const std::vector<arch::OutputFault>& faults) {
  const auto& s = ops.shape;
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  sim::ArrayModel(cfg, f, 1).run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false}, faults);
  return y;
}

}  // namespace

TEST_CASE("Fault sampling is a pure function of seed and GEMM key, with about BER * words faults", "[unit][fault]") {
  faults::BitflipConfig cfg;
  cfg.ber = 1e-3;
  cfg.bit_lo = 0;
  cfg.bit_hi = 29;
  cfg.seed = 42;
  const auto a = faults::sample_output_faults(cfg, 7, 1000, 1000);
  const auto b = faults::sample_output_faults(cfg, 7, 1000, 1000);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK((a[i].m == b[i].m && a[i].n == b[i].n && a[i].bit == b[i].bit));
  // 1e6 words at BER 1e-3: mean 1000, sd ~31.6; allow 5 sd.
  CHECK(std::abs(static_cast<double>(a.size()) - 1000.0) < 160.0);
  std::int64_t prev = -1;
  for (const auto& f : a) {
    const std::int64_t pos = f.m * 1000 + f.n;
    CHECK(pos > prev);  // strictly increasing: no word faulted twice
    prev = pos;
    CHECK((f.bit >= 0 && f.bit <= 29));
  }
  CHECK(faults::sample_output_faults(cfg, 8, 1000, 1000).front().n != a.front().n);  // another GEMM, other sites
  cfg.ber = 0;
  CHECK(faults::sample_output_faults(cfg, 7, 1000, 1000).empty());
  cfg.ber = 1;
  CHECK(faults::sample_output_faults(cfg, 7, 10, 10).size() == 100);
}

TEST_CASE("Hardware addresses follow the dataflow mapping", "[unit][fault]") {
  arch::ArrayConfig cfg;
  cfg.rows = 4;
  cfg.cols = 3;
  cfg.dataflow = arch::Dataflow::WS;
  // K=10 -> 3 reduction tiles; (m=5, n=4, k=9): column tile 1, reduction tile 2 -> fold 1*3+2 = 5,
  // PE (9%4=1, 4%3=1), cycle R + m + r + c = 4 + 5 + 1 + 1 = 11.
  auto h = arch::map_to_hardware(cfg, {6, 7, 10}, {5, 4, 9});
  CHECK(h.fold == 5);
  CHECK(h.pe_row == 1);
  CHECK(h.pe_col == 1);
  CHECK(h.cycle == 11);
  cfg.dataflow = arch::Dataflow::OS;
  // N=7 -> 3 column tiles; (m=5, n=4): row tile 1, column tile 1 -> fold 4; PE (1, 1); cycle k + 1 + 1.
  h = arch::map_to_hardware(cfg, {6, 7, 10}, {5, 4, 9});
  CHECK(h.fold == 4);
  CHECK(h.cycle == 11);
}

TEST_CASE("PE-level, fold-level and cpu engines give identical faulty outputs", "[sim][fault]") {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 12; ++trial) {
    arch::ArrayConfig cfg;
    cfg.rows = static_cast<int>(2 + rng() % 7);
    cfg.cols = static_cast<int>(2 + rng() % 7);
    cfg.dataflow = trial % 2 ? arch::Dataflow::OS : arch::Dataflow::WS;
    const arch::GemmShape shape{static_cast<std::int64_t>(1 + rng() % 20), static_cast<std::int64_t>(1 + rng() % 20),
                                static_cast<std::int64_t>(1 + rng() % 30)};
    const auto ops = models::random_gemm_operands(shape, static_cast<std::uint64_t>(trial));
    faults::BitflipConfig bf;
    bf.ber = 0.1;
    bf.bit_lo = 0;
    bf.bit_hi = 31;
    bf.seed = static_cast<std::uint64_t>(trial);
    const auto faults = faults::sample_output_faults(bf, 99, shape.m, shape.n);
    INFO("trial " << trial << " faults " << faults.size());

    const auto pe = run_array(cfg, sim::Fidelity::PE, ops, faults);
    const auto fold = run_array(cfg, sim::Fidelity::Fold, ops, faults);
    CHECK(pe == fold);

    // The cpu engine behind the plan-driven decorator, and the array engine, on the same GemmId.
    faults::FaultTargeting all;
    auto plan = std::make_shared<faults::FaultPlan>(bf, all);
    models::GemmId id;
    id.layer = trial;
    const models::Int8GemmArgs base{shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n, nullptr, shape.n, false};
    std::vector<std::int32_t> y_cpu(pe.size()), y_arr(pe.size());
    faults::FaultInjectingEngine cpu(models::make_cpu_engine("auto", 1), cfg, plan);
    auto args = base;
    args.y = y_cpu.data();
    cpu.gemm(id, args);
    sim::ArrayGemmEngine arr(cfg, sim::Fidelity::PE, 1);
    arr.set_fault_plan(plan);
    args.y = y_arr.data();
    arr.gemm(id, args);
    CHECK(y_cpu == y_arr);

    // Against the clean result: exactly the faulty words differ (OS: by the flipped bit).
    std::vector<std::int32_t> clean(pe.size());
    models::naive_int8_gemm({shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n, clean.data(), shape.n, false});
    std::size_t differing = 0;
    for (std::size_t i = 0; i < clean.size(); ++i) differing += clean[i] != pe[i];
    CHECK(differing == faults.size());
    if (cfg.dataflow == arch::Dataflow::OS)
      for (const auto& f : faults)
        CHECK((static_cast<std::uint32_t>(clean[static_cast<std::size_t>(f.m * shape.n + f.n)]) ^
               static_cast<std::uint32_t>(pe[static_cast<std::size_t>(f.m * shape.n + f.n)])) == (1u << f.bit));
  }
}

TEST_CASE("Targeting selects components, layers and stages", "[unit][fault]") {
  faults::FaultTargeting t;
  t.components.reset();
  t.components.set(static_cast<std::size_t>(models::Component::O));
  t.layers = {0};
  t.decode = false;
  models::GemmId id;
  id.component = models::Component::O;
  CHECK(t.targets(id));
  id.layer = 1;
  CHECK_FALSE(t.targets(id));
  id.layer = 0;
  id.stage = models::Stage::Decode;
  CHECK_FALSE(t.targets(id));
  id.stage = models::Stage::Prefill;
  id.component = models::Component::K;
  CHECK_FALSE(t.targets(id));
}

TEST_CASE("ReaLM clamp: faulty re-quantized outputs are clamped to +-127 * s_out of the clean output", "[sim][fault]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    arch::ArrayConfig cfg;
    cfg.rows = 4;
    cfg.cols = 4;
    cfg.dataflow = df;
    const arch::GemmShape s{6, 5, 9};
    const auto ops = models::random_gemm_operands(s, 3);
    std::vector<std::int32_t> clean(static_cast<std::size_t>(s.m * s.n));
    models::naive_int8_gemm({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, clean.data(), s.n, false});
    faults::BitflipConfig bf;
    bf.ber = 0.3;
    bf.bit_lo = bf.bit_hi = 30;
    auto plan = std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
    models::GemmId id;
    for (models::Component c : {models::Component::Q, models::Component::O}) {
      id.component = c;
      auto y = clean;
      const models::Int8GemmArgs args{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false};
      const auto faults = plan->sample(id, s.m, s.n);
      REQUIRE(!faults.empty());
      for (const auto& f : faults) faults::apply_output_fault(cfg, args, f);
      // Reverting restores the clean output exactly.
      auto reverted = y;
      auto rargs = args;
      rargs.y = reverted.data();
      for (const auto& f : faults) faults::revert_output_fault(cfg, rargs, f);
      CHECK(reverted == clean);

      const std::vector<float> xs(static_cast<std::size_t>(s.m), 0.5f), ws(static_cast<std::size_t>(s.n), 0.25f);
      models::llm::QuantizedGemmCall call{id, args, xs, ws};
      faults::ReaLMClampHook hook(cfg, plan, models::llm::ActivationGranularity::PerToken);
      hook.after_gemm(call);
      for (std::int64_t i = 0; i < s.m; ++i) {
        // s_out of row i from the clean output, computed here by hand: abs-max * 0.5 * 0.25 / 127.
        std::int64_t absmax = 0;
        for (std::int64_t j = 0; j < s.n; ++j)
          absmax = std::max<std::int64_t>(absmax, std::abs(static_cast<std::int64_t>(clean[static_cast<std::size_t>(i * s.n + j)])));
        for (std::int64_t j = 0; j < s.n; ++j) {
          const std::int64_t v = std::abs(static_cast<std::int64_t>(y[static_cast<std::size_t>(i * s.n + j)]));
          if (c == models::Component::Q) {
            CHECK(v <= absmax);  // bit-30 flips are pulled back into the clean range
          }
        }
      }
      if (c == models::Component::O) {
        CHECK(hook.clamped() == 0);  // O feeds the residual stream unclamped
        std::int64_t far = 0;
        for (std::size_t i = 0; i < y.size(); ++i) far += std::abs(static_cast<std::int64_t>(y[i]) - clean[i]) >= (1 << 29);
        CHECK(far == static_cast<std::int64_t>(faults.size()));
      }
    }
  }
}

TEST_CASE("The fault log records each fault's GEMM shape and output word before and after injection", "[sim][fault]") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 8; ++trial) {
    arch::ArrayConfig cfg;
    cfg.rows = static_cast<int>(2 + rng() % 6);
    cfg.cols = static_cast<int>(2 + rng() % 6);
    cfg.dataflow = trial % 2 ? arch::Dataflow::OS : arch::Dataflow::WS;
    const arch::GemmShape shape{static_cast<std::int64_t>(1 + rng() % 16), static_cast<std::int64_t>(1 + rng() % 16),
                                static_cast<std::int64_t>(1 + rng() % 25)};
    const auto ops = models::random_gemm_operands(shape, static_cast<std::uint64_t>(100 + trial));
    std::vector<std::int32_t> clean(static_cast<std::size_t>(shape.m * shape.n));
    const models::Int8GemmArgs base{shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n, nullptr, shape.n, false};
    auto cargs = base;
    cargs.y = clean.data();
    models::naive_int8_gemm(cargs);
    faults::BitflipConfig bf;
    bf.ber = 0.2;
    bf.bit_lo = 0;
    bf.bit_hi = 31;
    bf.seed = static_cast<std::uint64_t>(trial);
    models::GemmId id;
    id.layer = 3;
    id.call_index = trial;

    // Three engines, each with its own plan (and log): cpu behind the decorator, array at both fidelities.
    for (int e = 0; e < 3; ++e) {
      auto plan = std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
      std::vector<std::int32_t> y(clean.size());
      auto args = base;
      args.y = y.data();
      if (e == 0) {
        faults::FaultInjectingEngine cpu(models::make_cpu_engine("auto", 1), cfg, plan);
        cpu.gemm(id, args);
      } else {
        sim::ArrayGemmEngine arr(cfg, e == 1 ? sim::Fidelity::PE : sim::Fidelity::Fold, 1);
        arr.set_fault_plan(plan);
        arr.gemm(id, args);
      }
      INFO("trial " << trial << " engine " << e << " dataflow " << arch::to_string(cfg.dataflow));
      const auto log = plan->log();
      CHECK(log.size() == plan->sample(id, shape.m, shape.n).size());
      std::size_t differing = 0;
      for (std::size_t i = 0; i < clean.size(); ++i) differing += clean[i] != y[i];
      CHECK(differing == log.size());
      for (const faults::LoggedFault& lf : log) {
        const auto word = static_cast<std::size_t>(lf.fault.m * shape.n + lf.fault.n);
        CHECK(lf.gemm.call_index == trial);
        CHECK(lf.gemm_m == shape.m);
        CHECK(lf.gemm_n == shape.n);
        CHECK(lf.k == shape.k);
        REQUIRE(lf.has_values);
        CHECK(lf.values.before == clean[word]);
        CHECK(lf.values.after == y[word]);
        const std::uint32_t mask = 1u << lf.fault.bit;
        const std::uint32_t before = static_cast<std::uint32_t>(lf.values.before);
        const std::uint32_t after = static_cast<std::uint32_t>(lf.values.after);
        if (cfg.dataflow == arch::Dataflow::OS) {
          CHECK((after ^ before) == mask);  // OS: the accumulator word itself is flipped
        } else {
          CHECK((after - before == mask || before - after == mask));  // WS: a partial sum flipped: +-2^bit
        }
      }
    }
  }
}

TEST_CASE("FaultPlan::record_values rejects values for faults it did not hand out", "[unit][fault]") {
  faults::BitflipConfig bf;
  bf.ber = 1;
  faults::FaultPlan plan(bf, faults::FaultTargeting{});
  models::GemmId id;
  const auto faults = plan.faults_for(id, 2, 2, 5);
  REQUIRE(faults.size() == 4);
  CHECK_THROWS_AS(plan.record_values(id, faults, {}), std::logic_error);  // sizes differ
  models::GemmId other = id;
  other.call_index = 1;
  CHECK_THROWS_AS(plan.record_values(other, faults, std::vector<faults::FaultValues>(4)), std::logic_error);
  plan.record_values(id, faults, std::vector<faults::FaultValues>(4, faults::FaultValues{1, 2}));
  for (const auto& lf : plan.log()) CHECK((lf.has_values && lf.values.before == 1 && lf.values.after == 2 && lf.k == 5));
  // Every logged fault has its values now: a second record for the same GEMM has nothing to fill.
  CHECK_THROWS_AS(plan.record_values(id, faults, std::vector<faults::FaultValues>(4)), std::logic_error);
}
