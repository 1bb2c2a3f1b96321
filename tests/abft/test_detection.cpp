// Checksum deviations (exact: zero when clean, the error itself where it is) and the detection
// policies' decisions against their closed-form rules; the [abft] config file.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/checksum_deviations.hpp"
#include "abft/detect/detection_policy.hpp"
#include "arch/config_error.hpp"
#include "arch/timing/timing_model.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "test_support.hpp"

using namespace saffire;

namespace {

struct Gemm {
  std::int64_t m, n, k;
  std::vector<std::int8_t> x, w;
  std::vector<std::int32_t> y;
  models::Int8GemmArgs args() { return {m, n, k, x.data(), k, w.data(), n, y.data(), n, false}; }
};

Gemm random_gemm(std::int64_t m, std::int64_t n, std::int64_t k, std::uint32_t seed, bool extremes) {
  std::mt19937 rng(seed);
  Gemm g{m, n, k, std::vector<std::int8_t>(static_cast<std::size_t>(m * k)), std::vector<std::int8_t>(static_cast<std::size_t>(k * n)),
         std::vector<std::int32_t>(static_cast<std::size_t>(m * n))};
  for (auto* v : {&g.x, &g.w})
    for (auto& e : *v) e = static_cast<std::int8_t>(extremes ? (rng() & 1 ? -128 : 127) : static_cast<int>(rng() % 256) - 128);
  models::naive_int8_gemm(g.args());
  return g;
}

abft::DetectionInput whole(const abft::ChecksumDeviations& d, models::Component c) {
  abft::DetectionInput in;
  in.component = c;
  in.row_deviations = d.row;
  in.rows = d.rows;
  in.tile_cols = d.tile_cols;
  in.col_deviations = d.col;
  return in;
}

abft::AbftConfig with(abft::Scheme s) {
  abft::AbftConfig cfg;
  cfg.scheme = s;
  return cfg;
}

}  // namespace

TEST_CASE("Checksum deviations are 0 when clean and equal a single error where it is", "[unit][abft]") {
  // K = 4000 at the INT8 extremes: sums of 127 * 127 products wrap around INT32 in the checksums.
  for (const bool extremes : {false, true}) {
    Gemm g = random_gemm(23, 37, extremes ? 4000 : 97, extremes ? 1 : 2, extremes);
    const std::int64_t C = 8;  // tiles 0..4, the last one 5 columns wide
    const auto clean = abft::checksum_deviations(g.args(), C, true);
    REQUIRE(clean.tiles == 5);
    for (std::int32_t v : clean.row) CHECK(v == 0);
    for (std::int32_t v : clean.col) CHECK(v == 0);
    for (int bit : {0, 7, 19, 30, 31}) {
      const std::int64_t i = bit % g.m, j = (3 * bit + 1) % g.n;
      Gemm bad = g;
      std::int32_t& y = bad.y[static_cast<std::size_t>(i * g.n + j)];
      const std::uint32_t before = static_cast<std::uint32_t>(y);
      y = static_cast<std::int32_t>(before ^ (1u << bit));
      const std::int32_t delta = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) - before);
      const auto d = abft::checksum_deviations(bad.args(), C, true);
      for (std::int64_t t = 0; t < d.tiles; ++t)
        for (std::int64_t r = 0; r < d.rows; ++r) CHECK(d.tile(t)[r] == ((t == j / C && r == i) ? delta : 0));
      for (std::int64_t c = 0; c < g.n; ++c) CHECK(d.col[static_cast<std::size_t>(c)] == (c == j ? delta : 0));
    }
  }
}

TEST_CASE("Statistical ABFT follows ReaLM's rule for n equal errors of magnitude m", "[unit][abft]") {
  // n equal errors in n rows: MSD = n m, theta: log2 = b - (a-1) log2(n m); all n count iff m > theta;
  // recover iff that and log2 n > theta_freq (linear layers: a 1.273, b 20.076, theta_freq 5.951).
  const auto policy = abft::make_detection_policy(with(abft::Scheme::parse("statistical")));
  const abft::StatisticalConstants k = abft::AbftConfig{}.constants_for(models::Component::K);
  for (int n : {1, 8, 61, 62, 63, 64, 200, 1000}) {
    for (int log2m : {4, 8, 10, 12, 14, 16, 20, 24, 28}) {
      std::vector<std::int32_t> dev(2000, 0);
      for (int i = 0; i < n; ++i) dev[static_cast<std::size_t>(i)] = 1 << log2m;
      abft::DetectionInput in;
      in.component = models::Component::K;
      in.row_deviations = dev;
      in.rows = 2000;
      in.tile_cols = 2000;
      const abft::Decision d = policy->decide(in);
      const double msd = static_cast<double>(n) * std::exp2(log2m);
      const bool big = log2m > k.b - (k.a - 1) * std::log2(msd);
      INFO("n " << n << " m 2^" << log2m);
      CHECK(d.msd == msd);
      CHECK(d.freq == (big ? n : 0));
      CHECK((d.action == abft::Action::Recompute) == (big && std::log2(n) > k.theta_freq));
      // The sensitive O projection uses the line only: one error above the threshold suffices.
      in.component = models::Component::O;
      CHECK((policy->decide(in).action == abft::Action::Recompute) == big);
    }
  }
  // ReaLM's MSD-only baseline: recompute iff log2 MSD > (theta_freq + b) / a = 20.45 for linear layers.
  const auto approx = abft::make_detection_policy(with(abft::Scheme::parse("approxabft")));
  std::vector<std::int32_t> dev(10, 0);
  abft::DetectionInput in;
  in.row_deviations = dev;
  dev[3] = 1 << 20;
  CHECK(approx->decide(in).action == abft::Action::Accept);
  dev[4] = 1 << 20;  // MSD 2^21 > 2^20.45
  CHECK(approx->decide(in).action == abft::Action::Recompute);
  dev[5] = -(1 << 21);  // they cancel: MSD 0
  CHECK(approx->decide(in).action == abft::Action::Accept);
}

TEST_CASE("Classic ABFT recomputes on any deviation; classic-correct fixes one wrong word", "[unit][abft]") {
  Gemm g = random_gemm(9, 20, 31, 5, false);
  const std::int64_t C = 8;
  const auto classic = abft::make_detection_policy(with(abft::Scheme::parse("classic")));
  const auto correct = abft::make_detection_policy(with(abft::Scheme::parse("classic-correct")));
  CHECK(correct->needs_columns());
  CHECK(classic->decide(whole(abft::checksum_deviations(g.args(), C, false), models::Component::Q)).action ==
        abft::Action::Accept);
  Gemm one = g;
  one.y[4 * 20 + 17] += 5;
  const auto d1 = abft::checksum_deviations(one.args(), C, true);
  CHECK(classic->decide(whole(d1, models::Component::Q)).action == abft::Action::Recompute);
  const abft::Decision fix = correct->decide(whole(d1, models::Component::Q));
  REQUIRE(fix.action == abft::Action::Correct);
  REQUIRE(fix.corrections.size() == 1);
  CHECK(fix.corrections[0].m == 4);
  CHECK(fix.corrections[0].n == 17);
  CHECK(fix.corrections[0].deviation == 5);
  Gemm two = one;
  two.y[6 * 20 + 2] -= 1;  // a second wrong word: located nowhere, recomputed
  CHECK(correct->decide(whole(abft::checksum_deviations(two.args(), C, true), models::Component::Q)).action ==
        abft::Action::Recompute);
  // Two errors in one row whose sum cancels the row check still show in the column checks.
  Gemm cancel = g;
  cancel.y[2 * 20 + 0] += 9;
  cancel.y[2 * 20 + 1] -= 9;
  CHECK(correct->decide(whole(abft::checksum_deviations(cancel.args(), C, true), models::Component::Q)).action ==
        abft::Action::Recompute);
}

TEST_CASE("The [abft] config: defaults from background.md, overrides, and errors naming file, line and key", "[unit][abft]") {
  const abft::AbftConfig def;
  CHECK(def.constants_for(models::Component::Q).a == 1.273);
  CHECK(def.constants_for(models::Component::QK).b == 24.660);
  CHECK(def.constants_for(models::Component::PV).theta_freq == 8.04);
  CHECK(def.constants_for(models::Component::Down).line_only);
  CHECK_FALSE(def.constants_for(models::Component::K).line_only);

  const abft::AbftConfig cfg = abft::parse_abft_config(
      "[abft]\nscheme = \"statistical\"\nscope = \"tile\"\nrecover_at = \"same-voltage\"\nmax_retries = 3\n"
      "[abft.linear]\nb = 19.5\n[abft.component.k]\na = 1.4\ntheta_freq = 4.0\n",
      "a.toml");
  CHECK(cfg.scheme == abft::Scheme::parse("statistical"));
  CHECK(cfg.scope == abft::DecisionScope::Tile);
  CHECK(cfg.recover_at == abft::RecoverAt::SameVoltage);
  CHECK(cfg.max_retries == 3);
  CHECK(cfg.constants_for(models::Component::Q).b == 19.5);
  CHECK(cfg.constants_for(models::Component::K).a == 1.4);
  CHECK(cfg.constants_for(models::Component::K).b == 19.5);  // the class value, not overridden
  CHECK(cfg.constants_for(models::Component::K).theta_freq == 4.0);
  CHECK(cfg.constants_for(models::Component::O).b == 20.076);  // O is not in the linear class table

  // Round trip through to_toml.
  const abft::AbftConfig back = abft::parse_abft_config(abft::to_toml(cfg), "back.toml");
  CHECK(back.constants == cfg.constants);
  CHECK(back.scope == cfg.scope);

  const auto err = [](const std::string& text) { return test::error_of([&] { abft::parse_abft_config(text, "a.toml"); }); };
  CHECK(err("[abft]\nschem = \"classic\"\n").find("a.toml:2: abft.schem: unknown key") != std::string::npos);
  CHECK(err("[abft]\nscheme = \"razor\"\n").find("abft.scheme") != std::string::npos);
  CHECK(err("[abft]\nscope = \"layer\"\n").find("abft.scope") != std::string::npos);
  CHECK(abft::parse_abft_config("[abft]\nscope = \"fold\"\n", "a.toml").scope == abft::DecisionScope::Fold);
  CHECK(err("[abft]\nmax_retries = -1\n").find("abft.max_retries") != std::string::npos);
  CHECK(err("[abft.component.zz]\na = 1\n").find("abft.component.zz") != std::string::npos);
  CHECK(err("[abft.linear]\nc = 1\n").find("abft.linear.c") != std::string::npos);
  CHECK(err("[abft.linear]\na = -1\n").find("a > 0") != std::string::npos);
  CHECK(err("[abft\n").find("a.toml:1") != std::string::npos);
}

TEST_CASE("The example experiments/configs/abft.toml states the defaults", "[unit][abft]") {
  const abft::AbftConfig cfg = abft::load_abft_config(std::string(SAFFIRE_SOURCE_DIR) + "/experiments/configs/abft.toml");
  CHECK(cfg.constants == abft::AbftConfig::default_constants());
  CHECK(cfg.scheme == abft::Scheme::parse("statistical"));
  CHECK(cfg.scope == abft::DecisionScope::Gemm);
  CHECK(cfg.max_retries == abft::AbftConfig{}.max_retries);
  CHECK(cfg.fp_tolerance == abft::AbftConfig{}.fp_tolerance);
}

TEST_CASE("Checksum units exposed to timing errors: exact at nominal, false alarms when underscaled", "[unit][abft]") {
  Gemm g = random_gemm(40, 24, 300, 9, false);  // a clean output: any deviation is the checker's own error
  arch::VoltageConfig vc;
  vc.sigma = 0;  // nominal, no slow units: every carry chain settles
  const arch::TimingModel nominal(vc, 8, 2);
  for (std::int32_t v : abft::checksum_deviations(g.args(), 8, false, &nominal).row) CHECK(v == 0);
  vc.v = 0.5;
  const arch::TimingModel low(vc, 8, 2);
  const auto d = abft::checksum_deviations(g.args(), 8, false, &low);
  std::int64_t alarms = 0;
  for (std::int32_t v : d.row) alarms += v != 0;
  CHECK(alarms > 0);
  CHECK(alarms <= static_cast<std::int64_t>(d.row.size()));
  CHECK(abft::parse_abft_config("[abft]\nchecksums_exposed = true\n", "a.toml").checksums_exposed);
  CHECK(test::error_of([] { abft::parse_abft_config("[abft]\nchecksums_exposed = 1\n", "a.toml"); })
            .find("abft.checksums_exposed") != std::string::npos);
}
