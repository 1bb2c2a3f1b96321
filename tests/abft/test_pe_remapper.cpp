// Permanent faults and the PE remapper: streaks of repaired words per PE, the cycle cost of running
// on fewer columns (closed form from SCALE-Sim's per-fold count), and the ABFT engine around a
// stuck-at array: without remapping every GEMM through the stuck PE is recomputed; with it, only the
// first N are, and the outputs are exact throughout.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "abft/engine/abft_engine.hpp"
#include "abft/recover/pe_remapper.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/fault_model_factory.hpp"

using namespace saffire;

namespace {

arch::ArrayConfig array(std::int64_t rows, std::int64_t cols, arch::Dataflow df) {
  arch::ArrayConfig cfg;
  cfg.rows = static_cast<int>(rows);
  cfg.cols = static_cast<int>(cols);
  cfg.dataflow = df;
  return cfg;
}

}  // namespace

TEST_CASE("PE remapper: a PE repaired in N consecutive GEMMs that use it is remapped", "[abft][remap]") {
  abft::PeRemapper r(array(4, 4, arch::Dataflow::OS), 3, abft::RemapTo::ExtraFold);
  const arch::GemmShape s{8, 8, 16};
  // (1, 2) and (5, 6) both sit in PE (1, 2).
  CHECK(r.observe(s, {{1, 2}}).empty());
  CHECK(r.observe(s, {{5, 6}, {0, 0}}).empty());
  CHECK(r.observe(s, {}).empty());  // a clean GEMM through the PE ends the streak
  CHECK(r.observe(s, {{1, 2}}).empty());
  CHECK(r.observe(s, {{1, 2}}).empty());
  // A GEMM too small to use PE (1, 2) (one output row) leaves the streak alone.
  CHECK(r.observe({1, 8, 16}, {}).empty());
  CHECK(r.observe(s, {{1, 6}}) == std::vector<int>{2});
  CHECK(r.retired() == std::vector<int>{2});
  CHECK(r.observe(s, {{1, 2}}).empty());  // already remapped
  // WS: a word names its PE column only.
  abft::PeRemapper ws(array(4, 4, arch::Dataflow::WS), 2, abft::RemapTo::SpareColumn);
  CHECK(ws.observe(s, {{0, 3}}).empty());
  CHECK(ws.observe(s, {{7, 7}}) == std::vector<int>{3});
  CHECK(ws.extra_cycles(s, 0) == 0);  // a spare column costs area, not cycles
}

TEST_CASE("PE remapper: extra-fold remapping costs the cycles of the narrower array", "[abft][remap]") {
  // OS 4x4, M = 4, N = 8, K = 4: SCALE-Sim's fold is R + C + K - 2 cycles. 4 columns: 1 x 2 folds of
  // 10 = 20; with one column remapped, 3 columns: 1 x ceil(8/3) = 3 folds of 9 = 27: 7 more, and each
  // extra fold also carries the scheme's extra cycles (here 2): 27 + 3*2 - (20 + 2*2) = 9.
  abft::PeRemapper r(array(4, 4, arch::Dataflow::OS), 1, abft::RemapTo::ExtraFold);
  const arch::GemmShape s{4, 8, 4};
  CHECK(r.extra_cycles(s, 0) == 0);
  CHECK(r.observe(s, {{0, 1}}) == std::vector<int>{1});
  CHECK(r.extra_cycles(s, 0) == 7);
  CHECK(r.extra_cycles(s, 2) == 9);
}

TEST_CASE("ABFT around a stuck-at array: remapping stops the recomputations, outputs stay exact", "[abft][remap]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    const arch::ArrayConfig cfg = array(8, 8, df);
    const arch::GemmShape s{24, 40, 50};
    const auto ops = models::random_gemm_operands(s, 5);
    std::vector<std::int32_t> clean(static_cast<std::size_t>(s.m * s.n));
    models::naive_int8_gemm({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, clean.data(), s.n, false});
    for (int remap_after : {0, 2}) {
      faults::FaultModelParams p;
      p.model = "stuck-at";
      p.array = cfg;
      p.stuck = {{3, 5, 20, 1}};
      auto plan = std::make_shared<faults::FaultPlan>(faults::make_fault_model(p), faults::FaultTargeting{});
      abft::AbftConfig ac;
      ac.scheme = abft::Scheme::parse("classic");
      ac.remap_after = remap_after;
      ac.remap_to = abft::RemapTo::ExtraFold;
      auto faulty = std::make_unique<sim::ArrayGemmEngine>(cfg, sim::Fidelity::Fold, 1);
      faulty->set_fault_plan(plan);
      abft::AbftEngine engine(std::move(faulty), models::make_cpu_engine("auto", 1), plan, cfg, ac);
      constexpr int kGemms = 6;
      for (int g = 0; g < kGemms; ++g) {
        models::GemmId id;
        id.layer = g;
        std::vector<std::int32_t> y(clean.size());
        engine.gemm(id, {s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
        INFO(arch::to_string(df) << " remap_after " << remap_after << " gemm " << g);
        CHECK(y == clean);
      }
      const abft::AbftTotals& t = engine.totals();
      if (remap_after == 0) {
        CHECK(t.recomputed == kGemms);
        CHECK(t.remapped_columns == 0);
        CHECK(t.remap_cycles == 0);
      } else {
        CHECK(t.recomputed == remap_after);
        CHECK(t.remapped_columns == 1);
        CHECK(engine.remapped_columns() == std::vector<int>{5});
        // The GEMMs after the remap run on 7 columns: their extra cycles, from the fold plans.
        const auto cycles = [&](int cols) {
          arch::ArrayConfig c = cfg;
          c.cols = cols;
          const arch::FoldPlan fp(c, s);
          const std::int64_t extra = abft::make_detection_policy(ac.scheme)->extra_cycles_per_fold(c, {});
          return fp.count() * (fp.cycles_per_fold() + extra);
        };
        CHECK(t.remap_cycles == (kGemms - remap_after) * (cycles(7) - cycles(8)));
      }
    }
  }
}
