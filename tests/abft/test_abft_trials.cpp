// ABFT recompute-probability trials (abft/trials/abft_trials.hpp): the O(faults) deviations equal the checksum
// deviations of the materialized faulty output, and the trial counts follow the closed forms.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "abft/checksum_deviations.hpp"
#include "abft/detect/detection_policy.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "abft/trials/abft_trials.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/faults/output_fault_apply.hpp"
#include "test_support.hpp"

using namespace saffire;

namespace {

struct CleanGemm {
  models::GemmOperands ops;
  std::vector<std::int32_t> y;
  models::Int8GemmArgs args() {
    const auto& s = ops.shape;
    return {s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false};
  }
};

CleanGemm clean_gemm(std::int64_t m, std::int64_t n, std::int64_t k, std::uint64_t seed) {
  CleanGemm g{models::random_gemm_operands({m, n, k}, seed), std::vector<std::int32_t>(static_cast<std::size_t>(m * n))};
  models::naive_int8_gemm(g.args());
  return g;
}

std::unique_ptr<abft::DetectionPolicy> policy(abft::Scheme s) {
  abft::AbftConfig c;
  c.scheme = s;
  return abft::make_detection_policy(c);
}

}  // namespace

TEST_CASE("Fault deviations from the deltas equal checksum_deviations of the materialized faulty output",
          "[unit][abft][trials]") {
  std::mt19937_64 rng(20261125);
  int checked_words = 0;
  for (int iter = 0; iter < 60; ++iter) {
    const std::int64_t m = 1 + static_cast<std::int64_t>(rng() % 23), n = 1 + static_cast<std::int64_t>(rng() % 29),
                       k = 1 + static_cast<std::int64_t>(rng() % 37);
    arch::ArrayConfig cfg;
    cfg.rows = 1 + static_cast<int>(rng() % 9);
    cfg.cols = 1 + static_cast<int>(rng() % 9);
    cfg.dataflow = iter % 2 == 0 ? arch::Dataflow::WS : arch::Dataflow::OS;
    CleanGemm g = clean_gemm(m, n, k, 100 + static_cast<std::uint64_t>(iter));
    const models::Int8GemmArgs clean = g.args();
    faults::BitflipConfig bf;
    bf.ber = 0.05 + 0.5 * static_cast<double>(rng() % 1000) / 1000.0;
    bf.bit_lo = 0;
    bf.bit_hi = 31;
    bf.seed = rng();
    const std::vector<arch::OutputFault> faults =
        faults::sample_output_faults(bf, static_cast<std::uint64_t>(iter), m, n);
    checked_words += static_cast<int>(faults.size());

    // The clean output is exact: no deviation.
    const abft::ChecksumDeviations zero = abft::checksum_deviations(clean, cfg.cols, true);
    for (std::int32_t v : zero.row) REQUIRE(v == 0);

    // Materialize the faulty output with the array's semantics and compute its deviations.
    std::vector<std::int32_t> yf = g.y;
    models::Int8GemmArgs faulty = clean;
    faulty.y = yf.data();
    for (const arch::OutputFault& f : faults) faults::apply_output_fault(cfg, faulty, f);
    const abft::ChecksumDeviations want = abft::checksum_deviations(faulty, cfg.cols, true);

    // Each delta is the word's change.
    for (const arch::OutputFault& f : faults) {
      const std::uint32_t d = abft::output_fault_delta(cfg, clean, f);
      const std::size_t at = static_cast<std::size_t>(f.m * n + f.n);
      REQUIRE(static_cast<std::uint32_t>(yf[at]) - static_cast<std::uint32_t>(g.y[at]) == d);
      REQUIRE((d == (1u << f.bit) || d == 0u - (1u << f.bit)));
    }

    const abft::ChecksumDeviations got = abft::fault_checksum_deviations(cfg, clean, faults, true);
    REQUIRE(got.tiles == want.tiles);
    REQUIRE(got.rows == want.rows);
    REQUIRE(got.tile_cols == want.tile_cols);
    REQUIRE(got.row == want.row);
    REQUIRE(got.col == want.col);
    const abft::ChecksumDeviations rows_only = abft::fault_checksum_deviations(cfg, clean, faults, false);
    CHECK(rows_only.row == want.row);
    CHECK(rows_only.col.empty());

    // Clearing the touched entries leaves zeros again.
    abft::ChecksumDeviations cleared = got;
    abft::clear_fault_deviations(faults, cleared);
    for (std::int32_t v : cleared.row) REQUIRE(v == 0);
    for (std::int32_t v : cleared.col) REQUIRE(v == 0);
  }
  CHECK(checked_words > 1000);
}

TEST_CASE("Bit-31 and wrap-around flips: the deltas still sum to the checksum deviations", "[unit][abft][trials]") {
  // Several faults in one row of a tile, flips of bit 31 on words near INT32_MIN/INT32_MAX.
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    arch::ArrayConfig cfg;
    cfg.rows = 4;
    cfg.cols = 3;
    cfg.dataflow = df;
    CleanGemm g = clean_gemm(3, 7, 10, 9);
    const models::Int8GemmArgs clean = g.args();
    const std::vector<arch::OutputFault> faults = {{0, 0, 31}, {0, 1, 31}, {0, 2, 30}, {1, 3, 0}, {2, 6, 31}};
    std::vector<std::int32_t> yf = g.y;
    models::Int8GemmArgs faulty = clean;
    faulty.y = yf.data();
    for (const auto& f : faults) faults::apply_output_fault(cfg, faulty, f);
    const abft::ChecksumDeviations want = abft::checksum_deviations(faulty, cfg.cols, true);
    const abft::ChecksumDeviations got = abft::fault_checksum_deviations(cfg, clean, faults, true);
    CHECK(got.row == want.row);
    CHECK(got.col == want.col);
    // Two bit-31 flips in one row check cancel mod 2^32: the row check of tile 0, row 0 sees only bit 30.
    CHECK(static_cast<std::uint32_t>(got.row[0]) ==
          (static_cast<std::uint32_t>(abft::output_fault_delta(cfg, clean, faults[2]))));
  }
}

TEST_CASE("Classic ABFT's recompute probability is 1 - (1 - BER)^(m n)", "[unit][abft][trials]") {
  CleanGemm g = clean_gemm(12, 20, 9, 3);
  const models::Int8GemmArgs clean = g.args();
  const auto classic = policy(abft::Scheme::parse("classic"));
  const auto approx = policy(abft::Scheme::parse("approxabft"));
  const auto stat = policy(abft::Scheme::parse("statistical"));
  const std::vector<const abft::DetectionPolicy*> policies = {classic.get(), approx.get(), stat.get()};
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    for (double ber : {5e-4, 2e-3, 1e-2}) {
      abft::RecomputeTrialsConfig tc;
      tc.array.rows = 4;
      tc.array.cols = 8;
      tc.array.dataflow = df;
      tc.faults.ber = ber;
      tc.faults.bit_lo = 0;
      tc.faults.bit_hi = 29;
      tc.faults.seed = 77;
      tc.trials = 4000;
      const abft::TrialCounts c = abft::run_recompute_trials(tc, clean, policies);
      const double words = 12.0 * 20.0;
      const double expect = 1 - std::pow(1 - ber, words);
      // 99.9 % Wilson interval (z = 3.29): a correct sampler fails this about once in 1000 seeds; the
      // seed is fixed, so the test is deterministic. (BER 2e-3: p = 0.38; a sampler that drew one
      // key for all trials would give 0 or 1.)
      const abft::Interval ci = abft::wilson_interval(c.policies[0].recompute, c.trials, 3.29);
      INFO("ber " << ber << " recomputes " << c.policies[0].recompute << " of " << c.trials << ", expected p "
                  << expect);
      CHECK(ci.lo <= expect);
      CHECK(expect <= ci.hi);
      // Classic recomputes on the faulty trials, except where flips cancel in every row check they hit
      // (e.g. one word's bit b set and another's cleared in the same row of a tile): rare here.
      CHECK(c.policies[0].recompute <= c.faulty_trials);
      CHECK(c.faulty_trials - c.policies[0].recompute <= c.trials / 100);
      // Mean faults per trial: BER * words.
      CHECK(std::abs(static_cast<double>(c.faults) / static_cast<double>(c.trials) - ber * words) <
            5 * std::sqrt(ber * words / static_cast<double>(c.trials)) + 1e-9);
      // Thresholded schemes never recompute where classic (any nonzero deviation) would not.
      CHECK(c.policies[1].recompute <= c.policies[0].recompute);
      CHECK(c.policies[2].recompute <= c.policies[0].recompute);
    }
  }
}

TEST_CASE("Trials are reproducible and independent of the thread count", "[unit][abft][trials]") {
  CleanGemm g = clean_gemm(128, 128, 16, 5);
  const models::Int8GemmArgs clean = g.args();
  const auto classic = policy(abft::Scheme::parse("classic"));
  const auto approx = policy(abft::Scheme::parse("approxabft"));
  const auto stat = policy(abft::Scheme::parse("statistical"));
  const auto correct = policy(abft::Scheme::parse("classic-correct"));
  const std::vector<const abft::DetectionPolicy*> policies = {classic.get(), approx.get(), stat.get(), correct.get()};
  abft::RecomputeTrialsConfig tc;
  tc.array.rows = 16;
  tc.array.cols = 32;
  tc.array.dataflow = arch::Dataflow::WS;
  tc.faults.ber = 7e-3;  // ~115 faults per trial in 512 row checks: statistical fires about half the time
  tc.faults.bit_lo = 0;
  tc.faults.bit_hi = 29;
  tc.faults.seed = 11;
  tc.trials = 600;
  std::vector<std::int64_t> stat_counts;
  for (abft::TrialChecks checks : {abft::TrialChecks::Rows, abft::TrialChecks::RowsAndCols}) {
    tc.checks = checks;
    tc.threads = 1;
    const abft::TrialCounts one = abft::run_recompute_trials(tc, clean, policies);
    tc.threads = 3;
    const abft::TrialCounts three = abft::run_recompute_trials(tc, clean, policies);
    CHECK(one.faults == three.faults);
    CHECK(one.faulty_trials == three.faulty_trials);
    for (std::size_t i = 0; i < policies.size(); ++i) {
      CHECK(one.policies[i].recompute == three.policies[i].recompute);
      CHECK(one.policies[i].correct == three.policies[i].correct);
    }
    CHECK(one.policies[0].recompute == one.trials);  // every trial has faults
    CHECK(one.policies[1].recompute > one.trials / 2);
    if (checks == abft::TrialChecks::Rows) {  // not degenerate
      CHECK(one.policies[2].recompute > one.trials / 10);
      CHECK(one.policies[2].recompute < one.trials * 9 / 10);
    }
    stat_counts.push_back(one.policies[2].recompute);
    CHECK(one.policies[3].correct + one.policies[3].recompute == one.policies[0].recompute);
  }
  // Counting the column checks as well doubles freq: statistical fires more often.
  CHECK(stat_counts[1] > stat_counts[0]);
  // Trial t at the same seed is the same draw: counting one policy alone gives the same numbers.
  tc.checks = abft::TrialChecks::Rows;
  tc.threads = 2;
  const std::vector<const abft::DetectionPolicy*> only_stat = {stat.get()};
  const abft::TrialCounts all = abft::run_recompute_trials(tc, clean, policies);
  const abft::TrialCounts alone = abft::run_recompute_trials(tc, clean, only_stat);
  CHECK(alone.policies[0].recompute == all.policies[2].recompute);
  // Another seed, other faults.
  tc.faults.seed = 12;
  CHECK(abft::run_recompute_trials(tc, clean, policies).faults != all.faults);
}

TEST_CASE("Trial arguments are validated", "[unit][abft][trials]") {
  CleanGemm g = clean_gemm(4, 4, 4, 1);
  const models::Int8GemmArgs clean = g.args();
  const auto classic = policy(abft::Scheme::parse("classic"));
  const auto dmr = policy(abft::Scheme::parse("dmr"));
  abft::RecomputeTrialsConfig tc;
  tc.faults.ber = 0.1;
  const std::vector<const abft::DetectionPolicy*> none;
  CHECK_THAT(test::error_of([&] { abft::run_recompute_trials(tc, clean, none); }), Catch::Contains("no policies"));
  const std::vector<const abft::DetectionPolicy*> with_dmr = {classic.get(), dmr.get()};
  CHECK_THAT(test::error_of([&] { abft::run_recompute_trials(tc, clean, with_dmr); }), Catch::Contains("duplicate"));
  const std::vector<const abft::DetectionPolicy*> ok = {classic.get()};
  tc.trials = 0;
  CHECK_THAT(test::error_of([&] { abft::run_recompute_trials(tc, clean, ok); }), Catch::Contains("trials"));
  tc.trials = 10;
  tc.faults.ber = 0;
  const abft::TrialCounts c = abft::run_recompute_trials(tc, clean, ok);
  CHECK(c.faults == 0);
  CHECK(c.policies[0].recompute == 0);
}

TEST_CASE("Wilson interval and the BER of 50 % recompute", "[unit][abft][trials]") {
  const abft::Interval a = abft::wilson_interval(460, 1000);
  CHECK(a.lo == Approx(0.4292).margin(1e-3));
  CHECK(a.hi == Approx(0.4911).margin(1e-3));
  const abft::Interval zero = abft::wilson_interval(0, 1000);
  CHECK(zero.lo == 0);
  CHECK(zero.hi == Approx(0.00383).margin(1e-4));
  const abft::Interval all = abft::wilson_interval(1000, 1000);
  CHECK(all.hi == 1);
  CHECK(all.lo == Approx(0.99617).margin(1e-4));

  const std::vector<double> bers = {1e-6, 1e-5, 1e-4};
  CHECK(abft::ber_at_level(bers, std::vector<double>{0.0, 0.25, 0.75}) == Approx(1e-5 * std::sqrt(10.0)));
  CHECK(abft::ber_at_level(bers, std::vector<double>{0.0, 0.5, 0.9}) == Approx(1e-5));
  CHECK(abft::ber_at_level(bers, std::vector<double>{0.0, 0.1, 0.4}) == -1);
  CHECK(abft::ber_at_level(bers, std::vector<double>{0.6, 0.8, 1.0}) == 0);
  // ReaLM's statistical points: 46 % at 2.5e-5, 90 % at 3e-5 -> 50 % at ~2.55e-5.
  CHECK(abft::ber_at_level(std::vector<double>{2e-5, 2.5e-5, 3e-5}, std::vector<double>{0.042, 0.46, 0.90}) ==
        Approx(2.5e-5 * std::pow(1.2, 0.04 / 0.44)));
}
