// The ABFT engine on floating-point GEMMs (AbftEngine::numeric_gemm): top exponent flips of an FP32
// accumulator are caught by the row checks with a rounding tolerance and recomputed, so the guarded output
// equals the order written out with MPFR bit for bit; flags, recomputations and retries counted in closed form
// from the plan's sites; the same on the cpu wrapper and the array engine; schemes and options without a
// floating-point form refused naming the key.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/engine/abft_engine.hpp"
#include "arch/config_error.hpp"
#include "models/engine/cpu_engine.hpp"
#include "ordered_reference.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/bitflip_fault.hpp"
#include "sim/faults/fault_injecting_engine.hpp"

using namespace saffire;
using arch::NumberFormat;

namespace {

arch::ArrayConfig bf16_array(arch::Dataflow df) {
  arch::ArrayConfig cfg;
  cfg.rows = 8;
  cfg.cols = 4;
  cfg.dataflow = df;
  arch::set_numeric_types(cfg, NumberFormat::Bf16, std::nullopt, std::nullopt);  // -> fp32 accumulator and buffer
  return cfg;
}

std::shared_ptr<faults::FaultPlan> top_exponent_flips(double ber) {
  faults::BitflipConfig bf;
  bf.ber = ber;
  bf.bit_lo = bf.bit_hi = 30;  // always beyond the rounding bound with an FP32 buffer (test_fp_checksum)
  bf.seed = 11;
  return std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
}

std::unique_ptr<models::GemmEngine> engine_of(bool array, const arch::ArrayConfig& cfg,
                                              std::shared_ptr<faults::FaultPlan> plan) {
  std::unique_ptr<models::GemmEngine> e;
  if (array) {
    auto a = std::make_unique<sim::ArrayGemmEngine>(cfg, sim::Fidelity::Fold, 1);
    a->set_fault_plan(std::move(plan));
    e = std::move(a);
  } else {
    e = std::make_unique<faults::FaultInjectingEngine>(models::make_cpu_engine("auto", 1, cfg), cfg, std::move(plan));
  }
  return e;
}

constexpr std::int64_t kM = 12, kN = 10, kK = 37;

}  // namespace

TEST_CASE("fp ABFT engine: flipped exponents are detected and recomputed, the output equals MPFR's order",
          "[abft][numerics]") {
  const auto x = test::random_values(NumberFormat::Bf16, kM * kK, 3, false);
  const auto w = test::random_values(NumberFormat::Bf16, kK * kN, 4, false);
  for (const arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS})
    for (const bool on_array : {false, true})
      for (const abft::DecisionScope scope : {abft::DecisionScope::Gemm, abft::DecisionScope::Tile}) {
        const arch::ArrayConfig cfg = bf16_array(df);
        const std::vector<double> want =
            test::mpfr_ordered_gemm(x, w, kM, kN, kK, cfg.numerics, df == arch::Dataflow::WS, cfg.rows);
        abft::AbftConfig ac;
        ac.scheme = abft::Scheme::parse("classic");
        ac.scope = scope;
        const auto plan = top_exponent_flips(0.05);
        abft::AbftEngine guarded(engine_of(on_array, cfg, plan), models::make_cpu_engine("auto", 1, cfg), plan, cfg, ac);
        std::vector<double> y(kM * kN, -1.0);
        models::GemmId id;
        id.component = models::Component::Up;
        guarded.numeric_gemm(id, {kM, kN, kK, x.data(), kK, w.data(), kN, y.data(), kN});
        INFO(arch::to_string(df) << (on_array ? " array" : " cpu") << " scope " << abft::to_string(scope));
        // Which scopes the plan's sites hit (tile scope: output-column tiles of 4).
        std::set<std::int64_t> hit;
        for (const arch::OutputFault& f : plan->sample(id, kM, kN))
          hit.insert(scope == abft::DecisionScope::Gemm ? -1 : f.n / cfg.cols);
        REQUIRE(!hit.empty());
        CHECK(std::memcmp(y.data(), want.data(), y.size() * sizeof(double)) == 0);
        const abft::AbftTotals& t = guarded.totals();
        CHECK(t.scopes == (scope == abft::DecisionScope::Gemm ? 1 : (kN + cfg.cols - 1) / cfg.cols));
        CHECK(t.flagged == static_cast<std::int64_t>(hit.size()));
        CHECK(t.recomputed == t.flagged);
        CHECK(t.nominal == t.flagged);
        CHECK(t.retries == 0);
        CHECK(t.recomputed_macs == (scope == abft::DecisionScope::Gemm ? kM * kN * kK : 0) +
                                       (scope == abft::DecisionScope::Tile ? [&] {
                                         std::int64_t macs = 0;
                                         for (std::int64_t tile : hit)
                                           macs += kM * std::min<std::int64_t>(cfg.cols, kN - tile * cfg.cols) * kK;
                                         return macs;
                                       }()
                                                                            : 0));
        CHECK(guarded.rewrote_last());
        CHECK(guarded.records().size() == static_cast<std::size_t>(t.scopes));
      }
}

TEST_CASE("fp ABFT engine: same-voltage retries are re-checked, then nominal; a clean GEMM is never flagged",
          "[abft][numerics]") {
  const auto x = test::random_values(NumberFormat::Bf16, kM * kK, 5, false);
  const auto w = test::random_values(NumberFormat::Bf16, kK * kN, 6, false);
  const arch::ArrayConfig cfg = bf16_array(arch::Dataflow::WS);
  const std::vector<double> want = test::mpfr_ordered_gemm(x, w, kM, kN, kK, cfg.numerics, true, cfg.rows);
  abft::AbftConfig ac;
  ac.scheme = abft::Scheme::parse("classic");
  ac.recover_at = abft::RecoverAt::SameVoltage;
  ac.max_retries = 3;
  // ber 1: every output of every attempt is flipped, so every retry is flagged again and nominal ends it.
  const auto plan = top_exponent_flips(1.0);
  abft::AbftEngine guarded(engine_of(false, cfg, plan), models::make_cpu_engine("auto", 1, cfg), plan, cfg, ac);
  std::vector<double> y(kM * kN);
  guarded.numeric_gemm({}, {kM, kN, kK, x.data(), kK, w.data(), kN, y.data(), kN});
  CHECK(std::memcmp(y.data(), want.data(), y.size() * sizeof(double)) == 0);
  CHECK(guarded.totals().retries == 3);
  CHECK(guarded.totals().nominal == 1);
  CHECK(guarded.records().size() == 4);  // three retries and the first execution
  // No faults (ber 0): the checks stay within the bound at c = 1, nothing is recomputed.
  const auto none = top_exponent_flips(0.0);
  abft::AbftEngine quiet(engine_of(true, cfg, none), models::make_cpu_engine("auto", 1, cfg), none, cfg, ac);
  quiet.numeric_gemm({}, {kM, kN, kK, x.data(), kK, w.data(), kN, y.data(), kN});
  CHECK(quiet.totals().flagged == 0);
  CHECK(std::memcmp(y.data(), want.data(), y.size() * sizeof(double)) == 0);
}

TEST_CASE("fp ABFT engine: schemes and options without a floating-point form are refused", "[abft][numerics]") {
  const arch::ArrayConfig cfg = bf16_array(arch::Dataflow::OS);
  const auto make = [&](const abft::AbftConfig& ac) {
    const auto plan = top_exponent_flips(0.1);
    abft::AbftEngine e(engine_of(false, cfg, plan), models::make_cpu_engine("auto", 1, cfg), plan, cfg, ac);
  };
  abft::AbftConfig dmr;
  dmr.scheme = abft::Scheme::parse("dmr");
  CHECK_THROWS_WITH(make(dmr), Catch::Contains("abft.scheme"));
  abft::AbftConfig remap;
  remap.scheme = abft::Scheme::parse("classic");
  remap.remap_after = 2;
  CHECK_THROWS_WITH(make(remap), Catch::Contains("abft.remap_after"));
  abft::AbftConfig exposed;
  exposed.scheme = abft::Scheme::parse("statistical");
  exposed.checksums_exposed = true;
  CHECK_THROWS_WITH(make(exposed), Catch::Contains("abft.checksums_exposed"));
}
