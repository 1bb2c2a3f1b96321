// Magnitude faults (saffire calibrate's stimulus) and the critical-region fit: exactly freq errors of
// exactly MSD/freq at distinct words, seeded, only in targeted GEMMs, with the ABFT checksum MSD as an
// independent check; the line fit on synthetic grids drawn from a known line; the TOML round trip.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/checksum_deviations.hpp"
#include "abft/detect/detection_policy.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/faults/magnitude_fault_engine.hpp"
#include "tests/test_support.hpp"

using namespace saffire;

namespace {

struct Gemm {
  arch::GemmShape shape{24, 40, 50};  // 960 output words
  models::GemmOperands ops;
  std::vector<std::int32_t> clean;
  explicit Gemm(std::uint64_t seed) : ops(models::random_gemm_operands(shape, seed)) {
    clean.resize(static_cast<std::size_t>(shape.m * shape.n));
    models::naive_int8_gemm(args(clean));
  }
  models::Int8GemmArgs args(std::vector<std::int32_t>& y) const {
    return {shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n, y.data(), shape.n, false};
  }
  std::int64_t words() const { return shape.m * shape.n; }
};

faults::MagnitudeFaultConfig config(double log2_msd, std::int64_t freq, std::uint64_t seed = 5) {
  faults::MagnitudeFaultConfig cfg;
  cfg.msd = std::exp2(log2_msd);
  cfg.freq = freq;
  cfg.seed = seed;
  return cfg;
}

models::GemmId gemm_id(models::Component c, int layer, int sequence = 0) {
  models::GemmId id;
  id.component = c;
  id.layer = layer;
  id.sequence = sequence;
  id.pos_end = 24;
  return id;
}

// Runs the faulty engine on g and returns y - clean (wrap-around) per word.
std::vector<std::int32_t> deviations(const Gemm& g, const faults::MagnitudeFaultConfig& cfg, const models::GemmId& id,
                                     std::vector<std::int32_t>& y) {
  faults::MagnitudeFaultEngine engine(models::make_cpu_engine("auto", 1), cfg);
  y.assign(g.clean.size(), 0);
  engine.gemm(id, g.args(y));
  std::vector<std::int32_t> d(y.size());
  for (std::size_t i = 0; i < y.size(); ++i)
    d[i] = static_cast<std::int32_t>(static_cast<std::uint32_t>(y[i]) - static_cast<std::uint32_t>(g.clean[i]));
  return d;
}

std::set<std::int64_t> word_set(const std::vector<faults::MagnitudeError>& errors, std::int64_t n) {
  std::set<std::int64_t> s;
  for (const auto& e : errors) s.insert(e.m * n + e.n);
  return s;
}

}  // namespace

TEST_CASE("Magnitude faults: freq errors of magnitude MSD/freq at distinct words; checksum MSD = MSD", "[sim][calibrate]") {
  const Gemm g(11);
  const models::GemmId id = gemm_id(models::Component::K, 2);
  struct Case {
    double log2_msd;
    std::int64_t freq;
  };
  for (const Case c : {Case{20, 1}, Case{20, 16}, Case{24, 100}, Case{17, 7}, Case{30, 960}, Case{13, 3}, Case{26, 333}}) {
    INFO("log2 MSD " << c.log2_msd << ", freq " << c.freq);
    const faults::MagnitudeFaultConfig cfg = config(c.log2_msd, c.freq);
    const std::int64_t mag = cfg.magnitude();
    REQUIRE(std::abs(static_cast<double>(mag) - cfg.msd / static_cast<double>(c.freq)) <= 0.5);
    std::vector<std::int32_t> y;
    const std::vector<std::int32_t> d = deviations(g, cfg, id, y);
    std::int64_t nonzero = 0;
    for (const std::int32_t v : d) {
      if (v == 0) continue;
      ++nonzero;
      CHECK(v == mag);
    }
    CHECK(nonzero == c.freq);
    // Independent check: the ABFT checksum hardware's deviations (row checks, 8-column tiles).
    for (const std::int64_t tile : {std::int64_t{8}, std::int64_t{40}}) {
      const abft::ChecksumDeviations dev = abft::checksum_deviations(g.args(y), tile, true);
      const double msd = abft::matrix_sum_deviation(dev.row);
      CHECK(msd == static_cast<double>(mag * c.freq));
      CHECK(std::abs(msd - cfg.msd) <= 0.5 * static_cast<double>(c.freq));
      CHECK(abft::matrix_sum_deviation(dev.col) == msd);
      std::int64_t checks = 0;
      for (const std::int32_t v : dev.row) checks += v != 0;
      CHECK(checks >= 1);
      CHECK(checks <= c.freq);  // errors sharing a row check merge
    }
    // The engine reports the same errors, at distinct words.
    const auto errors = faults::magnitude_errors(cfg, id, g.shape.m, g.shape.n);
    CHECK(static_cast<std::int64_t>(errors.size()) == c.freq);
    CHECK(static_cast<std::int64_t>(word_set(errors, g.shape.n).size()) == c.freq);
  }
}

TEST_CASE("Magnitude faults: more errors than words caps at every word, counted", "[sim][calibrate]") {
  const Gemm g(12);
  const faults::MagnitudeFaultConfig cfg = config(22, 4096);
  faults::MagnitudeFaultEngine engine(models::make_cpu_engine("auto", 1), cfg);
  std::vector<std::int32_t> y(g.clean.size());
  engine.gemm(gemm_id(models::Component::Q, 0), g.args(y));
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] - g.clean[i] == 1024);
  CHECK(engine.totals().gemms == 1);
  CHECK(engine.totals().capped_gemms == 1);
  CHECK(engine.totals().errors == g.words());
}

TEST_CASE("Magnitude faults: words are a seeded permutation, deterministic and nested", "[sim][calibrate]") {
  for (const std::int64_t words : {1, 2, 3, 5, 17, 960, 4097}) {
    std::set<std::int64_t> seen;
    for (std::int64_t i = 0; i < words; ++i) {
      const std::int64_t w = faults::magnitude_word_index(3, 0xABCDEFull, words, i);
      REQUIRE(w >= 0);
      REQUIRE(w < words);
      seen.insert(w);
    }
    CHECK(static_cast<std::int64_t>(seen.size()) == words);  // a bijection of [0, words)
  }
  const Gemm g(13);
  const models::GemmId id = gemm_id(models::Component::O, 1);
  const auto a = faults::magnitude_errors(config(20, 64, 5), id, g.shape.m, g.shape.n);
  const auto again = faults::magnitude_errors(config(20, 64, 5), id, g.shape.m, g.shape.n);
  const auto other_seed = faults::magnitude_errors(config(20, 64, 6), id, g.shape.m, g.shape.n);
  const auto other_gemm = faults::magnitude_errors(config(20, 64, 5), gemm_id(models::Component::O, 1, 1), g.shape.m, g.shape.n);
  const auto nested = faults::magnitude_errors(config(20, 32, 5), id, g.shape.m, g.shape.n);
  REQUIRE(a.size() == 64);
  CHECK(word_set(a, g.shape.n) == word_set(again, g.shape.n));
  CHECK(word_set(a, g.shape.n) != word_set(other_seed, g.shape.n));
  CHECK(word_set(a, g.shape.n) != word_set(other_gemm, g.shape.n));
  for (std::size_t i = 0; i < nested.size(); ++i) {
    CHECK(nested[i].m == a[i].m);
    CHECK(nested[i].n == a[i].n);
  }
  // The words spread over the GEMM: 64 of 960 words touch many rows.
  std::set<std::int64_t> rows;
  for (const auto& e : a) rows.insert(e.m);
  CHECK(rows.size() >= 12);
}

TEST_CASE("Magnitude faults: only targeted GEMMs (component, layer) get errors", "[sim][calibrate]") {
  const Gemm g(14);
  faults::MagnitudeFaultConfig cfg = config(24, 10);
  cfg.targeting.components.reset();
  cfg.targeting.components.set(static_cast<std::size_t>(models::Component::K));
  cfg.targeting.layers = {1};
  faults::MagnitudeFaultEngine engine(models::make_cpu_engine("auto", 1), cfg);
  std::vector<std::int32_t> y(g.clean.size());
  for (const auto& [c, layer, faulty] :
       {std::tuple{models::Component::Q, 1, false}, std::tuple{models::Component::K, 0, false},
        std::tuple{models::Component::K, 1, true}, std::tuple{models::Component::V, 1, false},
        std::tuple{models::Component::K, 2, false}}) {
    INFO("component " << models::to_string(c) << ", layer " << layer);
    engine.gemm(gemm_id(c, layer), g.args(y));
    std::int64_t changed = 0;
    for (std::size_t i = 0; i < y.size(); ++i) changed += y[i] != g.clean[i];
    CHECK(changed == (faulty ? 10 : 0));
    CHECK(engine.last_errors().size() == (faulty ? 10u : 0u));
  }
  CHECK(engine.totals().gemms == 1);
  CHECK(engine.totals().errors == 10);
  CHECK(engine.totals().capped_gemms == 0);
}

TEST_CASE("Magnitude faults: random signs are seeded coin flips of the same magnitude", "[sim][calibrate]") {
  const Gemm g(15);
  faults::MagnitudeFaultConfig cfg = config(26, 400);
  cfg.sign = faults::MagnitudeSign::Random;
  const models::GemmId id = gemm_id(models::Component::V, 0);
  std::vector<std::int32_t> y;
  const std::vector<std::int32_t> d = deviations(g, cfg, id, y);
  std::int64_t pos = 0, neg = 0, sum = 0;
  for (const std::int32_t v : d) {
    if (v == 0) continue;
    CHECK(std::abs(static_cast<std::int64_t>(v)) == cfg.magnitude());
    (v > 0 ? pos : neg) += 1;
    sum += v;
  }
  CHECK(pos + neg == 400);
  CHECK(pos > 140);  // ~N(200, 10): far outside would mean a biased coin
  CHECK(neg > 140);
  const abft::ChecksumDeviations dev = abft::checksum_deviations(g.args(y), 8, false);
  CHECK(abft::matrix_sum_deviation(dev.row) == static_cast<double>(std::abs(sum)));
  std::vector<std::int32_t> y2;
  CHECK(deviations(g, cfg, id, y2) == d);  // deterministic
}

TEST_CASE("Magnitude faults: infeasible and zero magnitudes", "[sim][calibrate]") {
  CHECK_FALSE(config(34, 4).feasible());  // 2^32 per word
  CHECK(config(34, 8).feasible() == false);  // 2^31 > INT32_MAX
  CHECK(config(34, 16).feasible());
  CHECK(config(10, 4096).magnitude() == 0);
  CHECK(faults::magnitude_errors(config(10, 4096), gemm_id(models::Component::K, 0), 24, 40).empty());
  CHECK(test::error_of([] { faults::MagnitudeFaultEngine e(models::make_cpu_engine("auto", 1), config(34, 4)); }).find("INT32") !=
        std::string::npos);
  CHECK(faults::parse_magnitude_sign("random") == faults::MagnitudeSign::Random);
  CHECK(test::error_of([] { (void)faults::parse_magnitude_sign("up"); }).find("positive or random") != std::string::npos);
}

TEST_CASE("Magnitude clamp hook: faulty re-quantized words are clamped to the clean row's abs-max", "[sim][calibrate]") {
  const Gemm g(16);
  const faults::MagnitudeFaultConfig cfg = config(30, 5);  // 5 errors of ~2^27.7: far above any clean word
  faults::MagnitudeFaultEngine engine(models::make_cpu_engine("auto", 1), cfg);
  faults::MagnitudeClampHook hook(engine, models::llm::ActivationGranularity::PerToken);
  const std::vector<float> xs(static_cast<std::size_t>(g.shape.m), 0.01f), ws(1, 0.02f);
  for (const models::Component c : {models::Component::K, models::Component::O}) {
    std::vector<std::int32_t> y(g.clean.size());
    models::llm::QuantizedGemmCall call{gemm_id(c, 0), g.args(y), xs, ws};
    engine.gemm(call.id, call.args);
    hook.after_gemm(call);
    const auto errors = engine.last_errors();
    REQUIRE(errors.size() == 5);
    for (const auto& e : errors) {
      const std::int32_t got = y[static_cast<std::size_t>(e.m * g.shape.n + e.n)];
      if (c == models::Component::O) {  // not re-quantized: left alone
        CHECK(got == g.clean[static_cast<std::size_t>(e.m * g.shape.n + e.n)] + e.delta);
        continue;
      }
      std::int32_t row_max = 0;
      for (std::int64_t j = 0; j < g.shape.n; ++j)
        row_max = std::max(row_max, std::abs(g.clean[static_cast<std::size_t>(e.m * g.shape.n + j)]));
      CHECK(std::abs(got - row_max) <= 1);
    }
  }
  CHECK(hook.clamped() == 5);
}

