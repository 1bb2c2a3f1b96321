// The abft-prob study (abft/trials/recompute_study.hpp): policy selection, the classic scheme against
// its closed form (classic recomputes when a trial has a fault: p ~ 1 - (1 - BER)^outputs), and
// ReaLM's published points (background.md section 2).
#include <catch2/catch.hpp>

#include <cmath>

#include "abft/trials/realm_recompute_reference.hpp"
#include "abft/trials/recompute_study.hpp"
#include "tests/models/llm/llm_test_support.hpp"

namespace saffire::abft {
namespace {

TEST_CASE("abft-prob policies: duplicates dropped, non-checksum schemes and empty lists rejected", "[abft][trials]") {
  const StudyPolicies p = checksum_deciding_policies({"statistical", "classic", "statistical"}, AbftConfig{}, "--s");
  REQUIRE(p.schemes.size() == 2);
  CHECK(p.schemes[0].name() == "statistical");
  CHECK(p.schemes[1].name() == "classic");
  REQUIRE(p.policies.size() == 2);
  CHECK(p.policies[0] == p.owned[0].get());
  models::llm::test::check_error([] { checksum_deciding_policies({"dmr"}, AbftConfig{}, "--s"); },
                                 {"--s: dmr does not decide from checksums", "classic"});
  models::llm::test::check_error([] { checksum_deciding_policies({}, AbftConfig{}, "--s"); }, {"--s: empty list"});
  models::llm::test::check_error([] { checksum_deciding_policies({"nope"}, AbftConfig{}, "--s"); }, {"nope"});
}

TEST_CASE("abft-prob study: classic recomputes the faulty trials, near 1 - (1 - BER)^outputs", "[abft][trials]") {
  const StudyPolicies p = checksum_deciding_policies({"classic"}, AbftConfig{}, "--s");
  RecomputeStudySpec spec;
  spec.shape = arch::GemmShape{64, 64, 16};
  spec.bers = {5e-5, 2e-4, 1e-3};
  spec.trials.array.rows = 16;
  spec.trials.array.cols = 16;
  spec.trials.trials = 400;
  spec.trials.threads = 1;
  const RecomputeStudyResult r = run_recompute_study(spec, p.policies);
  REQUIRE(r.counts.size() == 3);
  for (std::size_t b = 0; b < spec.bers.size(); ++b) {
    INFO("BER " << spec.bers[b]);
    // Classic flags a trial iff some check deviates: every faulty trial, except the rare ones whose flips
    // cancel in every check they share (+2^b and -2^b in one row), which a sum checksum cannot see.
    CHECK(r.counts[b].policies[0].recompute <= r.counts[b].faulty_trials);
    CHECK(r.counts[b].faulty_trials - r.counts[b].policies[0].recompute <= r.counts[b].faulty_trials / 50);
    const double closed = 1 - std::pow(1 - spec.bers[b], 64.0 * 64.0);
    CHECK(r.classic_closed_form[b] == Approx(closed).epsilon(1e-12));
    const double sigma = std::sqrt(closed * (1 - closed) / 400.0);
    CHECK(std::abs(r.p[0][b] - closed) < 4 * sigma + 1e-9);
  }
  CHECK(1 - std::pow(1 - r.classic_closed_form_ber_50, 64.0 * 64.0) == Approx(0.5).epsilon(1e-9));
  // The measured 50 % point lies between the grid points around it (0.185 at 5e-5, 0.56 at 2e-4, 0.98 at 1e-3).
  CHECK(r.ber_50[0] > 5e-5);
  CHECK(r.ber_50[0] < 2e-4);
}

TEST_CASE("ReaLM's published recompute points", "[abft][trials]") {
  CHECK(realm_recompute_at(Scheme::parse("statistical"), 2.5e-5) == 0.46);
  CHECK(realm_recompute_at(Scheme::parse("approxabft"), 1e-6) == 0.71);
  CHECK_FALSE(realm_recompute_at(Scheme::parse("approxabft"), 3e-7).has_value());
  CHECK_FALSE(realm_recompute_at(Scheme::parse("classic"), 1e-6).has_value());
  CHECK(realm_ber_50(Scheme::parse("classic")) == 1.7e-7);
  // approxabft: 0.47 at 5e-7, 0.71 at 1e-6 -> log-interpolated 50 % just above 5e-7.
  const double h = *realm_ber_50(Scheme::parse("approxabft"));
  CHECK(h > 5e-7);
  CHECK(h < 6e-7);
  CHECK(realm_study_bers().size() == 19);
}

}  // namespace
}  // namespace saffire::abft
