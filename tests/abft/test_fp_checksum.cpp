// Floating-point checksums with a rounding tolerance (abft/fp_checksum.hpp): the constants in closed form,
// fault-free ordered GEMMs that never exceed the bound (random shapes, arrays, designs and operands built
// for cancellation), a flipped top exponent bit of an FP32 accumulator (FP32 buffer) that is always detected, and bad
// tolerances refused naming the key.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/fp_checksum.hpp"
#include "abft/fp_detection.hpp"
#include "abft/trials/fp_abft_trials.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "ordered_reference.hpp"
#include "sim/faults/numeric_output_faults.hpp"
#include "test_support.hpp"

using namespace saffire;
using arch::NumberFormat;

namespace {

struct Design {
  NumberFormat op, acc, buffer;
  bool fma;
};
const Design kDesigns[] = {{NumberFormat::Bf16, NumberFormat::Fp32, NumberFormat::Fp32, true},
                           {NumberFormat::Fp16, NumberFormat::Fp32, NumberFormat::Fp16, false},
                           {NumberFormat::Fp16, NumberFormat::Fp16, NumberFormat::Fp16, true},
                           {NumberFormat::Fp8E4M3, NumberFormat::Bf16, NumberFormat::Fp32, false},
                           {NumberFormat::Fp8E5M2, NumberFormat::Bf16, NumberFormat::Bf16, true}};

arch::PeNumerics numerics_of(const Design& d) {
  arch::PeNumerics n;
  n.operand = d.op;
  n.accumulator = d.acc;
  n.output_buffer = d.buffer;
  n.fma = d.fma;
  return n;
}

std::uint64_t next(std::uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

// Operands that cancel: W's column j holds +v in the first half of k and -v (the same magnitudes, in a
// shuffled order) in the second, X's rows repeat their first half, so the exact outputs are 0 while the
// partial sums grow large: every output is rounding error only.
void make_cancelling(std::vector<double>& x, std::vector<double>& w, std::int64_t m, std::int64_t n, std::int64_t k,
                     NumberFormat op, std::uint64_t seed) {
  const std::int64_t h = k / 2;
  const auto base_w = test::random_values(op, static_cast<std::size_t>(h * n), seed, false);
  const auto base_x = test::random_values(op, static_cast<std::size_t>(m * h), seed + 1, false);
  std::uint64_t s = seed * 7 + 3;
  for (std::int64_t kk = 0; kk < k; ++kk)
    for (std::int64_t j = 0; j < n; ++j) {
      const std::int64_t src = kk < h ? kk : kk - h;
      const double v = kk < 2 * h ? base_w[static_cast<std::size_t>(src * n + j)] : 0.0;
      w[static_cast<std::size_t>(kk * n + j)] = kk < h ? v : -v;
    }
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t kk = 0; kk < k; ++kk) {
      const std::int64_t src = kk < h ? kk : kk - h;
      x[static_cast<std::size_t>(i * k + kk)] = kk < 2 * h ? base_x[static_cast<std::size_t>(i * h + src)] : 0.0;
    }
  // Shuffle the second half's reduction steps (same permutation for X's columns and W's rows).
  for (std::int64_t a = 2 * h - 1; a > h; --a) {
    const std::int64_t b = h + static_cast<std::int64_t>(next(s) % static_cast<std::uint64_t>(a - h + 1));
    for (std::int64_t j = 0; j < n; ++j) std::swap(w[static_cast<std::size_t>(a * n + j)], w[static_cast<std::size_t>(b * n + j)]);
    for (std::int64_t i = 0; i < m; ++i) std::swap(x[static_cast<std::size_t>(i * k + a)], x[static_cast<std::size_t>(i * k + b)]);
  }
}

}  // namespace

TEST_CASE("fp checksums: unit roundoff, gamma and the rounding count in closed form", "[unit]") {
  CHECK(abft::unit_roundoff(NumberFormat::Fp32) == std::ldexp(1.0, -24));
  CHECK(abft::unit_roundoff(NumberFormat::Fp16) == std::ldexp(1.0, -11));
  CHECK(abft::unit_roundoff(NumberFormat::Bf16) == std::ldexp(1.0, -8));
  CHECK(abft::subnormal_spacing(NumberFormat::Fp32) == std::ldexp(1.0, -149));
  CHECK(abft::subnormal_spacing(NumberFormat::Fp16) == std::ldexp(1.0, -24));
  CHECK(abft::gamma(10, 0.01) == Approx(0.1 / 0.9));
  CHECK(std::isinf(abft::gamma(256, 1.0 / 256)));
  arch::PeNumerics n = numerics_of(kDesigns[0]);
  // OS: K = 10 steps + 1 buffer add (fused); not fused one more for the product.
  CHECK(abft::rounding_bound(n, {arch::Dataflow::OS, 0}, 10).roundings == 11);
  // WS, R = 4, K = 10: 4 steps down the column + ceil(10 / 4) = 3 buffer adds.
  CHECK(abft::rounding_bound(n, {arch::Dataflow::WS, 4}, 10).roundings == 7);
  CHECK(abft::rounding_bound(n, {arch::Dataflow::WS, 16}, 10).roundings == 11);
  n.fma = false;
  CHECK(abft::rounding_bound(n, {arch::Dataflow::WS, 4}, 10).roundings == 8);
  n.output_buffer = NumberFormat::Bf16;
  CHECK(abft::rounding_bound(n, {arch::Dataflow::WS, 4}, 10).u == std::ldexp(1.0, -8));
}

TEST_CASE("fp checksums: fault-free ordered GEMMs never exceed the bound, cancellation included", "[unit]") {
  std::uint64_t s = 12345;
  double worst_ratio = 0;  // max |d| / (tau + check error) over every check: <= 1 is the claim
  int checks = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const Design& d = kDesigns[static_cast<std::size_t>(trial) % std::size(kDesigns)];
    const arch::PeNumerics nm = numerics_of(d);
    const bool ws = next(s) % 2 == 0;
    const models::AccumulationOrder order{ws ? arch::Dataflow::WS : arch::Dataflow::OS,
                                          static_cast<std::int64_t>(1 + next(s) % 9)};
    const std::int64_t m = 1 + static_cast<std::int64_t>(next(s) % 6), n = 1 + static_cast<std::int64_t>(next(s) % 12);
    const std::int64_t k = 1 + static_cast<std::int64_t>(next(s) % (trial % 3 == 0 ? 200 : 40));
    const std::int64_t tile = 1 + static_cast<std::int64_t>(next(s) % 8);
    std::vector<double> x(static_cast<std::size_t>(m * k)), w(static_cast<std::size_t>(k * n));
    const bool cancel = trial % 2 == 1;
    if (cancel) {
      make_cancelling(x, w, m, n, k, d.op, s);
    } else {
      x = test::random_values(d.op, x.size(), s, false);
      w = test::random_values(d.op, w.size(), s + 5, false);
    }
    std::vector<double> y(static_cast<std::size_t>(m * n));
    models::ordered_gemm({m, n, k, x.data(), k, w.data(), n, y.data(), n}, nm, order, 1);
    const abft::FpChecksumDeviations c =
        abft::fp_checksum_deviations({m, n, k, x.data(), k, w.data(), n, y.data(), n}, nm, order, tile);
    for (std::size_t i = 0; i < c.deviation.size(); ++i) {
      INFO(arch::describe(nm) << " " << (ws ? "WS" : "OS") << " R " << order.fold_rows << " m,n,k " << m << "," << n
                              << "," << k << " tile " << tile << (cancel ? " cancelling" : "") << " check " << i);
      CHECK_FALSE(c.fires(i, 1.0));
      CHECK(c.residual(i, 1.0) == 0.0);
      const double bound = c.tau[i] + c.check_error[i];
      if (bound > 0) worst_ratio = std::max(worst_ratio, std::fabs(c.deviation[i]) / bound);
      ++checks;
    }
  }
  INFO("worst |d| / bound " << worst_ratio << " over " << checks << " checks");
  CHECK(worst_ratio <= 1.0);
  // The bound is not vacuous: the cancelling GEMMs come within a small factor of it.
  CHECK(worst_ratio > 0.01);
}

TEST_CASE("fp checksums: a flipped top exponent bit of an FP32 accumulator is always detected (FP32 buffer)", "[unit]") {
  std::uint64_t s = 777;
  int flips = 0;
  for (int trial = 0; trial < 40; ++trial) {
    // FP32 accumulator and buffer (a 16-bit buffer's u = 2^-11 widens the bound past a lost partial sum).
    const Design d{trial % 2 ? NumberFormat::Fp16 : NumberFormat::Bf16, NumberFormat::Fp32, NumberFormat::Fp32, trial % 3 != 0};
    const arch::PeNumerics nm = numerics_of(d);
    const models::AccumulationOrder order{trial % 4 < 2 ? arch::Dataflow::WS : arch::Dataflow::OS,
                                          static_cast<std::int64_t>(2 + next(s) % 15)};
    const std::int64_t m = 2 + static_cast<std::int64_t>(next(s) % 7), n = 2 + static_cast<std::int64_t>(next(s) % 20);
    const std::int64_t k = 1 + static_cast<std::int64_t>(next(s) % 300);
    const std::int64_t tile = 1 + static_cast<std::int64_t>(next(s) % 16);
    const auto x = test::random_values(d.op, static_cast<std::size_t>(m * k), s, false);
    const auto w = test::random_values(d.op, static_cast<std::size_t>(k * n), s + 9, false);
    std::vector<double> y(static_cast<std::size_t>(m * n));
    const models::NumericGemmArgs args{m, n, k, x.data(), k, w.data(), n, y.data(), n};
    models::ordered_gemm(args, nm, order, 1);
    const arch::OutputFault f{static_cast<std::int64_t>(next(s) % static_cast<std::uint64_t>(m)),
                              static_cast<std::int64_t>(next(s) % static_cast<std::uint64_t>(n)), 30};
    faults::apply_numeric_output_faults(nm, order, args, {f});
    const abft::FpChecksumDeviations c = abft::fp_checksum_deviations(args, nm, order, tile);
    INFO(arch::describe(nm) << " m,n,k " << m << "," << n << "," << k << " fault " << f.m << "," << f.n);
    CHECK(c.fires(static_cast<std::size_t>((f.n / tile) * m + f.m), 1.0));
    ++flips;
  }
  CHECK(flips == 40);
}

TEST_CASE("fp checksums: a tolerance <= 0 and schemes without a floating-point form are refused", "[unit]") {
  for (const char* bad : {"0.0", "-1.0", "nan"}) {
    const std::string msg = test::error_of([&] { abft::parse_abft_config(std::string("[abft]\nfp_tolerance = ") + bad + "\n", "t.toml"); });
    INFO(msg);
    CHECK(msg.find("t.toml:2: abft.fp_tolerance: expected a") != std::string::npos);
  }
  CHECK(abft::parse_abft_config("[abft]\nfp_tolerance = 0.05\n", "t.toml").fp_tolerance == 0.05);
  abft::AbftConfig cfg;
  cfg.scheme = abft::Scheme::parse("dmr", "test");
  CHECK(test::error_of([&] { cfg.validate_for_float(); }).find("abft.scheme: 'dmr' has no floating-point form") !=
        std::string::npos);
  cfg.scheme = abft::Scheme::parse("statistical", "test");
  CHECK(test::error_of([&] { cfg.validate_for_float(); }).empty());
}

TEST_CASE("fp detection: classic and statistical decisions on floating-point checks; the trials' monotone rates", "[unit]") {
  const arch::PeNumerics nm = numerics_of(kDesigns[0]);  // bf16 -> fp32, fp32 buffer
  const models::AccumulationOrder order{arch::Dataflow::WS, 8};
  const std::int64_t m = 6, n = 10, k = 40;
  const auto x = test::random_values(nm.operand, static_cast<std::size_t>(m * k), 4, false);
  const auto w = test::random_values(nm.operand, static_cast<std::size_t>(k * n), 5, false);
  std::vector<double> y(static_cast<std::size_t>(m * n));
  const models::NumericGemmArgs args{m, n, k, x.data(), k, w.data(), n, y.data(), n};
  models::ordered_gemm(args, nm, order, 1);
  abft::AbftConfig cfg;
  for (const char* s : {"none", "classic", "statistical"}) {
    cfg.scheme = abft::Scheme::parse(s, "test");
    CHECK(abft::decide_fp(cfg, models::Component::O, abft::fp_checksum_deviations(args, nm, order, 4)).action ==
          abft::Action::Accept);
  }
  faults::apply_numeric_output_faults(nm, order, args, {{2, 3, 29}});  // an exponent bit: a large deviation
  const abft::FpChecksumDeviations faulty = abft::fp_checksum_deviations(args, nm, order, 4);
  cfg.scheme = abft::Scheme::parse("classic", "test");
  const abft::Decision classic = abft::decide_fp(cfg, models::Component::Q, faulty);
  CHECK(classic.action == abft::Action::Recompute);
  CHECK(classic.freq == 1);
  cfg.scheme = abft::Scheme::parse("statistical", "test");
  // O is line_only: one residual above theta_mag recomputes; Q needs 2^theta_freq of them (one flip: accept).
  CHECK(abft::decide_fp(cfg, models::Component::O, faulty).action == abft::Action::Recompute);
  CHECK(abft::decide_fp(cfg, models::Component::Q, faulty).action == abft::Action::Accept);
  cfg.scheme = abft::Scheme::parse("dmr", "test");
  CHECK(test::error_of([&] { abft::decide_fp(cfg, models::Component::Q, faulty); }).find("abft.scheme") != std::string::npos);

  abft::FpTrialSpec spec;
  spec.numerics = nm;
  spec.order = order;
  spec.tile_cols = 8;
  spec.shape = {12, 16, 64};
  spec.gemms = 3;
  spec.flips_per_bit = 2;
  spec.tolerances = {1.0, 0.1, 0.01, 0.0001};
  spec.component = models::Component::O;
  const abft::FpTrialResult r = abft::run_fp_abft_trials(spec);
  const abft::FpTrialResult again = abft::run_fp_abft_trials(spec);
  REQUIRE(r.by_tolerance.size() == 4);
  CHECK(r.by_tolerance[0].false_alarm_checks == 0);  // c = 1 is the worst case
  CHECK(r.worst_fault_free_ratio <= 1.0);
  for (std::size_t t = 1; t < 4; ++t) {
    CHECK(r.by_tolerance[t].false_alarm_checks >= r.by_tolerance[t - 1].false_alarm_checks);
    CHECK(r.by_tolerance[t].missed_classic <= r.by_tolerance[t - 1].missed_classic);
    CHECK(r.by_tolerance[t].missed_statistical <= r.by_tolerance[t - 1].missed_statistical + 0);
  }
  CHECK(r.by_tolerance[3].false_alarm_checks > 0);  // far below the bound, rounding noise fires
  REQUIRE(r.by_bit.size() == 32);
  CHECK(r.by_bit[30].detected_classic[0] == r.by_bit[30].flips);  // the top exponent bit: always
  CHECK(r.by_bit[0].median_relative < 1e-6);                       // the last mantissa bit: noise
  CHECK(r.by_bit[0].harmful == 0);
  for (std::size_t b = 0; b < 32; ++b) {
    CHECK(r.by_bit[b].detected_classic == again.by_bit[b].detected_classic);
    CHECK(r.by_bit[b].median_relative == again.by_bit[b].median_relative);
  }
  spec.tolerances = {0.5, -1.0};
  CHECK(test::error_of([&] { abft::run_fp_abft_trials(spec); }).find("--tolerances: expected a tolerance > 0") !=
        std::string::npos);
}

TEST_CASE("fp checksums: Higham & Mary's probabilistic bound in closed form, finite where gamma_n is not",
          "[unit]") {
  // gamma~_n(lambda) = exp(lambda sqrt(n) u + n u^2 / (1 - u)) - 1; failure <= 2 n exp(-lambda^2 (1 - u)^2 / 2).
  const double u = 0x1p-8;  // bf16
  CHECK(abft::gamma_probabilistic(513, u, 6.0) ==
        Approx(std::exp(6.0 * std::sqrt(513.0) * u + 513.0 * u * u / (1 - u)) - 1).epsilon(1e-14));
  CHECK(abft::probabilistic_failure(513, u, 6.0) == Approx(2 * 513 * std::exp(-18.0 * (1 - u) * (1 - u))).epsilon(1e-14));
  CHECK(abft::probabilistic_failure(10, u, 0.5) == 1.0);  // capped
  // A bf16 accumulator over K = 512 (OS, fused: n = 512 + 1 buffer add = 513): n u >= 1, no worst-case bound.
  const arch::PeNumerics nm = numerics_of({NumberFormat::Bf16, NumberFormat::Bf16, NumberFormat::Bf16, true});
  const models::AccumulationOrder os{arch::Dataflow::OS, 1};
  const abft::RoundingBound det = abft::rounding_bound(nm, os, 512);
  const abft::RoundingBound prob = abft::rounding_bound(nm, os, 512, {true, 6.0});
  CHECK(det.roundings == 513);
  CHECK(std::isinf(det.gamma));
  CHECK(det.failure == 0);
  CHECK(prob.gamma == abft::gamma_probabilistic(513, u, 6.0));
  CHECK(prob.gamma < 1);
  CHECK(prob.failure == abft::probabilistic_failure(513, u, 6.0));
  // For a short FP32 chain the probabilistic bound is the smaller one (sqrt(n) against n).
  const arch::PeNumerics f32 = numerics_of(kDesigns[0]);
  CHECK(abft::rounding_bound(f32, os, 256, {true, 6.0}).gamma < abft::rounding_bound(f32, os, 256).gamma);
}

TEST_CASE("fp checksums: the probabilistic bound on BF16 accumulators over K = 512: no fault-free check exceeds it, "
          "and it detects flips the infinite worst-case bound cannot", "[unit]") {
  abft::FpTrialSpec spec;
  spec.numerics = numerics_of({NumberFormat::Bf16, NumberFormat::Bf16, NumberFormat::Fp32, true});
  spec.order = {arch::Dataflow::OS, 1};
  spec.tile_cols = 8;
  spec.shape = {8, 16, 512};
  spec.gemms = 3;
  spec.flips_per_bit = 2;
  spec.tolerances = {1.0};
  spec.component = models::Component::O;
  const abft::FpTrialResult det = abft::run_fp_abft_trials(spec);
  spec.abft.fp_bound = abft::FpBound::Probabilistic;
  const abft::FpTrialResult prob = abft::run_fp_abft_trials(spec);
  // Stated failure probability per check <= 8 outputs x 2 n e^(-18) ~ 1.6e-4: over 48 checks none is expected.
  CHECK(prob.by_tolerance[0].false_alarm_checks == 0);
  CHECK(prob.worst_fault_free_ratio < 1.0);
  CHECK(det.by_tolerance[0].harmful == det.by_bit[14].nonfinite + det.by_bit[15].nonfinite +
                                           [&] {
                                             std::int64_t s = 0;
                                             for (int b = 0; b < 14; ++b) s += det.by_bit[static_cast<std::size_t>(b)].nonfinite;
                                             return s;
                                           }());  // infinite bound: only non-finite flips are harmful
  CHECK(prob.by_tolerance[0].missed_classic < det.by_tolerance[0].missed_classic);
  CHECK(prob.by_tolerance[0].harmful > det.by_tolerance[0].harmful);
  // Beyond one output's bound is not always beyond its row check's (the bound of the tile's sum): most are caught.
  CHECK(2 * prob.by_tolerance[0].harmful_missed_classic < prob.by_tolerance[0].harmful);
}
