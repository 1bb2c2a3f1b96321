// The ABFT engine around a faulty engine: what each policy leaves in the output, compared with the
// clean GEMM (naive loop) and with the fault list; recomputation counts and scopes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>
#include <memory>
#include <vector>

#include "abft/abft_config.hpp"
#include "arch/tech/array_cost.hpp"
#include "models/engine/cpu_engine.hpp"
#include "abft/engine/abft_engine.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/fault_injecting_engine.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/faults/output_fault_apply.hpp"

using namespace saffire;

namespace {

struct Setup {
  arch::ArrayConfig array;
  arch::GemmShape shape{24, 40, 50};
  models::GemmOperands ops;
  std::vector<std::int32_t> clean;
  Setup(arch::Dataflow df, std::uint64_t seed) : ops(models::random_gemm_operands(shape, seed)) {
    array.rows = 8;
    array.cols = 8;
    array.dataflow = df;
    clean.resize(static_cast<std::size_t>(shape.m * shape.n));
    models::naive_int8_gemm({shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n, clean.data(), shape.n, false});
  }
  models::Int8GemmArgs args(std::vector<std::int32_t>& y) const {
    return {shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n, y.data(), shape.n, false};
  }
};

std::shared_ptr<faults::FaultPlan> bitflip_plan(double ber, std::uint64_t seed) {
  faults::BitflipConfig bf;
  bf.ber = ber;
  bf.bit_lo = 0;
  bf.bit_hi = 30;
  bf.seed = seed;
  return std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
}

std::unique_ptr<abft::AbftEngine> make_abft(const Setup& s, std::shared_ptr<faults::FaultPlan> plan, abft::AbftConfig cfg,
                                           bool array_engine = false) {
  std::unique_ptr<models::GemmEngine> faulty;
  if (array_engine) {
    auto a = std::make_unique<sim::ArrayGemmEngine>(s.array, sim::Fidelity::Fold, 1);
    a->set_fault_plan(plan);
    faulty = std::move(a);
  } else {
    faulty = std::make_unique<faults::FaultInjectingEngine>(models::make_cpu_engine("auto", 1), s.array, plan);
  }
  return std::make_unique<abft::AbftEngine>(std::move(faulty), models::make_cpu_engine("auto", 1), plan, s.array, cfg);
}

abft::AbftConfig with(abft::Scheme scheme, abft::DecisionScope scope = abft::DecisionScope::Gemm) {
  abft::AbftConfig cfg;
  cfg.scheme = scheme;
  cfg.scope = scope;
  return cfg;
}

}  // namespace

TEST_CASE("Classic, classic-correct and DMR with nominal recovery leave exactly the clean output", "[sim][abft]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    for (abft::Scheme scheme : {abft::Scheme::parse("classic"), abft::Scheme::parse("classic-correct"), abft::Scheme::parse("dmr")}) {
      // wanted faults: exactly one (classic-correct corrects it), or many (every policy recomputes)
      for (const bool single : {true, false}) {
        const Setup s(df, 7);
        auto plan = bitflip_plan(single ? 0.002 : 0.05, 3);
        models::GemmId id;
        id.component = models::Component::V;
        for (id.layer = 0; id.layer < 200; ++id.layer) {
          const std::size_t n = plan->sample(id, s.shape.m, s.shape.n).size();
          if (single ? n == 1 : n > 10) break;
        }
        auto engine = make_abft(s, plan, with(scheme), df == arch::Dataflow::OS);
        std::vector<std::int32_t> y(s.clean.size());
        engine->gemm(id, s.args(y));
        INFO(abft::to_string(scheme) << " " << arch::to_string(df) << " faults " << plan->fault_count());
        REQUIRE(plan->fault_count() == (single ? 1 : plan->fault_count()));
        REQUIRE(plan->fault_count() > 0);
        CHECK(y == s.clean);
        const abft::AbftTotals& t = engine->totals();
        CHECK(t.flagged == 1);
        if (scheme == abft::Scheme::parse("classic-correct") && single) {
          CHECK(t.corrected_words == 1);
          CHECK(t.recomputed == 0);
        } else {
          CHECK(t.recomputed == 1);
          CHECK(t.recomputed_macs == s.shape.macs());
        }
        CHECK(engine->rewrote_last());
      }
    }
  }
}

TEST_CASE("Tile scope recomputes only the output-column tiles that hold faults", "[sim][abft]") {
  const Setup s(arch::Dataflow::WS, 9);
  auto plan = bitflip_plan(0.004, 5);  // a few faults in 960 words
  auto engine = make_abft(s, plan, with(abft::Scheme::parse("classic"), abft::DecisionScope::Tile));
  std::vector<std::int32_t> y(s.clean.size());
  engine->gemm({}, s.args(y));
  CHECK(y == s.clean);
  std::vector<bool> hit(5, false);
  for (const arch::OutputFault& f : plan->sample({}, s.shape.m, s.shape.n)) hit[static_cast<std::size_t>(f.n / 8)] = true;
  const std::int64_t tiles = static_cast<std::int64_t>(std::count(hit.begin(), hit.end(), true));
  REQUIRE(tiles > 0);
  REQUIRE(tiles < 5);
  CHECK(engine->totals().scopes == 5);
  CHECK(engine->totals().recomputed == tiles);
  CHECK(engine->totals().recomputed_macs == tiles * s.shape.m * 8 * s.shape.k);
  // WS 8x8: a column tile of K = 50 is ceil(50 / 8) = 7 folds.
  CHECK(engine->totals().recomputed_folds == tiles * 7);
}

TEST_CASE("Same-voltage retries, then nominal voltage", "[sim][abft]") {
  const Setup s(arch::Dataflow::OS, 4);
  abft::AbftConfig cfg = with(abft::Scheme::parse("classic"));
  cfg.recover_at = abft::RecoverAt::SameVoltage;
  cfg.max_retries = 3;
  // BER 1: every execution is faulty, so every retry fails its check and the GEMM ends at nominal.
  auto plan = bitflip_plan(1.0, 1);
  auto engine = make_abft(s, plan, cfg);
  std::vector<std::int32_t> y(s.clean.size());
  engine->gemm({}, s.args(y));
  CHECK(y == s.clean);
  CHECK(engine->totals().retries == 3);
  CHECK(engine->totals().nominal == 1);
  CHECK(engine->totals().recomputed_macs == 4 * s.shape.macs());
  CHECK(plan->fault_count() == 4 * s.shape.m * s.shape.n);  // each retry is a fresh execution with its own faults
  // At a low BER a retry almost always passes: the GEMM ends at the same voltage.
  auto rare = bitflip_plan(0.001, 2);
  auto engine2 = make_abft(s, rare, cfg);
  std::vector<std::int32_t> y2(s.clean.size());
  models::GemmId id;
  for (id.layer = 0; id.layer < 40 && engine2->totals().flagged == 0; ++id.layer) engine2->gemm(id, s.args(y2));
  REQUIRE(engine2->totals().flagged == 1);
  CHECK(y2 == s.clean);
  CHECK(engine2->totals().nominal == 0);
  CHECK(engine2->totals().retries >= 1);
}

TEST_CASE("ThUnderVolt drops exactly the faulty MACs' products", "[sim][abft]") {
  const Setup s(arch::Dataflow::OS, 12);
  auto plan = bitflip_plan(0.02, 8);
  auto engine = make_abft(s, plan, with(abft::Scheme::parse("thundervolt")));
  std::vector<std::int32_t> y(s.clean.size());
  models::GemmId id;
  engine->gemm(id, s.args(y));
  const auto faults = plan->sample(id, s.shape.m, s.shape.n);
  REQUIRE(!faults.empty());
  std::vector<std::int32_t> expected = s.clean;
  for (const arch::OutputFault& f : faults) {
    const std::int64_t k = s.shape.k - 1;  // the bitflip model's faulty accumulate is the last one
    expected[static_cast<std::size_t>(f.m * s.shape.n + f.n)] -=
        std::int32_t{s.ops.x[static_cast<std::size_t>(f.m * s.shape.k + k)]} * s.ops.w[static_cast<std::size_t>(k * s.shape.n + f.n)];
  }
  CHECK(y == expected);
  CHECK(engine->totals().dropped_macs == static_cast<std::int64_t>(faults.size()));
}

TEST_CASE("Statistical ABFT lets small or rare errors through and recomputes sensitive components", "[sim][abft]") {
  const Setup s(arch::Dataflow::WS, 2);
  faults::BitflipConfig bf;
  bf.ber = 0.003;  // a few bit-30 flips
  bf.bit_lo = bf.bit_hi = 30;
  auto plan = std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
  auto engine = make_abft(s, plan, with(abft::Scheme::parse("statistical")));
  models::GemmId id;
  std::vector<std::int32_t> y(s.clean.size());
  for (models::Component c : {models::Component::K, models::Component::O}) {
    id.component = c;
    for (id.layer = 0; id.layer < 40; ++id.layer)
      if (!plan->sample(id, s.shape.m, s.shape.n).empty()) break;
    REQUIRE(!plan->sample(id, s.shape.m, s.shape.n).empty());
    engine->gemm(id, s.args(y));
    const abft::AbftRecord& r = engine->records().back();
    if (c == models::Component::K) {
      CHECK(r.action == abft::Action::Accept);  // fewer than 2^5.951 large deviations: tolerated
      CHECK(y != s.clean);
      CHECK_FALSE(engine->rewrote_last());
    } else {
      CHECK(r.action == abft::Action::Recompute);  // O: any deviation above the line
      CHECK(y == s.clean);
    }
    CHECK(r.freq >= 1);
    CHECK(r.msd >= static_cast<double>(1 << 29));
  }
}

TEST_CASE("ABFT cycle accounting: SCALE-Sim folds plus the scheme's extra cycles, recomputations counted", "[sim][abft]") {
  const Setup s(arch::Dataflow::WS, 3);
  auto plan = bitflip_plan(1.0, 4);  // every word faulty: classic recomputes the GEMM once, at nominal
  for (abft::Scheme scheme : {abft::Scheme::parse("classic"), abft::Scheme::parse("classic-correct")}) {
    auto engine = make_abft(s, plan, with(scheme));
    std::vector<std::int32_t> y(s.clean.size());
    engine->gemm({}, s.args(y));
    // WS 8x8, M=24 N=40 K=50: ceil(50/8) * ceil(40/8) = 35 folds of 2*8 + 8 + 24 - 2 = 46 cycles.
    const std::int64_t extra = abft::make_detection_policy(scheme)->extra_cycles_per_fold(s.array, {});
    INFO(abft::to_string(scheme) << " extra cycles per fold " << extra);
    CHECK(engine->totals().folds == 35);
    CHECK(engine->totals().cycles == 35 * (46 + extra));
    CHECK(engine->totals().recomputed_cycles == 35 * (46 + extra));
  }
  CHECK(abft::make_detection_policy(abft::Scheme::parse("classic"))->extra_cycles_per_fold(s.array, {}) == 0);
}

TEST_CASE("ABFT energy: the nominal-voltage run without detection is the reference", "[sim][abft]") {
  const Setup s(arch::Dataflow::OS, 6);
  auto plan = bitflip_plan(0.0, 1);  // no faults: the energies differ only by voltage and hardware
  const arch::TechTable tech = arch::TechTable::for_node(14);
  for (abft::Scheme scheme : {abft::Scheme::parse("none"), abft::Scheme::parse("statistical")}) {
    for (double v : {0.9, 0.6}) {
      auto engine = make_abft(s, plan, with(scheme));
      engine->set_energy_model(tech, v, 0.9);  // the timing model's domain: 0.9 V nominal, whatever the node's
      std::vector<std::int32_t> y(s.clean.size());
      engine->gemm({}, s.args(y));
      const abft::AbftEnergy& e = engine->energy();
      INFO(abft::to_string(scheme) << " at " << v << " V");
      REQUIRE(e.nominal > 0);
      if (scheme == abft::Scheme::parse("none") && v == 0.9) CHECK(e.total == Approx(e.nominal).epsilon(1e-12));
      if (scheme == abft::Scheme::parse("none")) CHECK(e.detection == 0);
      if (scheme == abft::Scheme::parse("statistical")) CHECK(e.detection > 0);
      if (v < 0.9) CHECK(e.total < e.nominal);  // dynamic energy falls with V^2, leakage with V
      CHECK(e.recovery == 0);
    }
  }
}

TEST_CASE("Fold scope (OS) recomputes only the (row tile, column tile) folds that hold faults", "[sim][abft]") {
  const Setup s(arch::Dataflow::OS, 10);  // 24 x 40 outputs on 8x8: 3 x 5 = 15 folds
  auto plan = bitflip_plan(0.004, 6);
  for (abft::Scheme scheme : {abft::Scheme::parse("classic"), abft::Scheme::parse("classic-correct"), abft::Scheme::parse("dmr")}) {
    auto engine = make_abft(s, plan, with(scheme, abft::DecisionScope::Fold));
    std::vector<std::int32_t> y(s.clean.size());
    engine->gemm({}, s.args(y));
    INFO(abft::to_string(scheme));
    CHECK(y == s.clean);
    std::map<std::pair<std::int64_t, std::int64_t>, int> per_fold;  // (row tile, column tile) -> faults
    for (const arch::OutputFault& f : plan->sample({}, s.shape.m, s.shape.n)) ++per_fold[{f.m / 8, f.n / 8}];
    REQUIRE(!per_fold.empty());
    REQUIRE(per_fold.size() < 15);
    std::int64_t recomputed = 0, corrected = 0;
    for (const auto& [fold, n] : per_fold) {
      const bool fixable = scheme == abft::Scheme::parse("classic-correct") && n == 1;  // one wrong word: located and fixed
      (fixable ? corrected : recomputed) += 1;
    }
    CHECK(engine->totals().scopes == 15);
    CHECK(engine->totals().recomputed == recomputed);
    CHECK(engine->totals().corrected_words == corrected);
    CHECK(engine->totals().recomputed_macs == recomputed * 8 * 8 * s.shape.k);  // every fold is a full 8x8 tile here
  }
}

TEST_CASE("Checksums of the SRAM copy cannot see stored-operand errors, checksums from before the SRAM can", "[sim][abft]") {
  // SRAM errors alone (no accumulator faults): the array computes exactly on the faulty copies.
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    const Setup s(df, 11);
    auto plan = bitflip_plan(0, 1);
    faults::SramFaultConfig sram;
    sram.bit_probability = 1e-3;
    sram.seed = 4;
    plan->set_sram_faults(sram);
    models::GemmId id;
    REQUIRE_FALSE(plan->sram_sample(id, s.shape.m, s.shape.n, s.shape.k).empty());
    for (const char* name : {"classic", "classic-correct", "dmr", "statistical", "approxabft", "thundervolt"}) {
      for (abft::ChecksumsFrom from : {abft::ChecksumsFrom::Sram, abft::ChecksumsFrom::BeforeSram}) {
        INFO(name << ", checksums from " << abft::to_string(from) << ", " << arch::to_string(df));
        abft::AbftConfig cfg = with(abft::Scheme::parse(name));
        cfg.checksums_from = from;
        auto engine = make_abft(s, plan, cfg);
        std::vector<std::int32_t> y(s.clean.size());
        engine->gemm(id, s.args(y));
        const bool checksum_scheme = std::string(name) != "thundervolt";
        const bool exact_check = std::string(name) == "classic" || std::string(name) == "dmr";
        if (from == abft::ChecksumsFrom::Sram || !checksum_scheme) {
          // The checksums (or the duplicate) read the same copies: every deviation is 0; Razor flags
          // timing errors only. The error passes.
          CHECK(engine->totals().flagged == 0);
          CHECK(y != s.clean);
        } else if (exact_check) {
          // Before the SRAM: the deviation shows; recomputing at nominal refetches the operands.
          CHECK(engine->totals().flagged == 1);
          CHECK(y == s.clean);
        }
      }
    }
  }
}
