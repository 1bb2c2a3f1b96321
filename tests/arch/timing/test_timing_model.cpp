// TimingModel: alpha-power delay, per-PE safe chain lengths, determinism of process variation,
// monotonicity in V, batch == scalar, and the carry-chain statistics of real INT8 accumulations.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "arch/config_error.hpp"
#include "arch/timing/carry_chain.hpp"
#include "arch/timing/dot_product_steps.hpp"
#include "arch/timing/timing_model.hpp"

using namespace saffire::arch;

namespace {

VoltageConfig at(double v, double sigma = 0.03, std::uint64_t chip_seed = 1) {
  VoltageConfig cfg;
  cfg.v = v;
  cfg.sigma = sigma;
  cfg.chip_seed = chip_seed;
  return cfg;
}

// The (acc, addend) steps of `dots` random dot products of length k, concatenated.
struct Steps {
  std::vector<std::uint32_t> acc;
  std::vector<std::int32_t> addend;
};
Steps dot_steps(int dots, std::size_t k, std::uint64_t seed = 5) {
  Steps s{std::vector<std::uint32_t>(static_cast<std::size_t>(dots) * k),
          std::vector<std::int32_t>(static_cast<std::size_t>(dots) * k)};
  for (int d = 0; d < dots; ++d)
    random_dot_product_steps(seed, static_cast<std::uint32_t>(d), 0, 0, std::span(s.acc).subspan(d * k, k),
                             std::span(s.addend).subspan(d * k, k));
  return s;
}

}  // namespace

TEST_CASE("Alpha-power delay matches the closed form", "[unit][timing]") {
  // d(V) = V / (V - 0.35)^1.3, normalized to d(0.9) = 0.9 / 0.55^1.3.
  CHECK(TimingModel(at(0.9), 4, 4).delay_scale() == Approx(1.0).epsilon(1e-15));
  CHECK(TimingModel(at(0.7), 4, 4).delay_scale() == Approx(1.399711624053722).epsilon(1e-12));
  CHECK(TimingModel(at(0.6), 4, 4).delay_scale() == Approx(1.8580535482828353).epsilon(1e-12));
  CHECK(alpha_power_delay(0.6, 0.35, 1.3) == Approx(0.6 / std::pow(0.25, 1.3)).epsilon(1e-15));
  // alpha = 1 (long-channel limit): d(0.7) / d(0.9) = (0.7 / 0.35) / (0.9 / 0.55).
  VoltageConfig lin = at(0.7);
  lin.alpha = 1.0;
  CHECK(TimingModel(lin, 1, 1).delay_scale() == Approx(2.0 / (0.9 / 0.55)).epsilon(1e-12));
}

TEST_CASE("max_safe_chain follows t(L) = (8 + L) t_carry * scale <= T with sigma = 0", "[unit][timing]") {
  // t(L) / T = 0.95 * (8 + L) / 40 * delay_scale  ->  S = floor(40 / (0.95 * scale) - 8), capped at 32.
  const std::vector<std::pair<double, int>> expected = {{0.90, 32}, {0.85, 31}, {0.80, 28}, {0.75, 25}, {0.70, 22},
                                                        {0.65, 18}, {0.60, 14}, {0.55, 10}, {0.50, 5}};
  for (const auto& [v, safe] : expected) {
    const TimingModel tm(at(v, 0.0), 3, 5);
    INFO("V = " << v);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 5; ++c) CHECK(tm.max_safe_chain(r, c) == safe);
    CHECK(tm.min_safe_chain() == safe);
    // The defining inequality, in ps: S meets the period, S + 1 does not.
    const double period = tm.config().period_ps();
    CHECK(tm.path_delay_ps(safe, 1, 1) <= period * (1 + 1e-12));
    if (safe < 32) CHECK(tm.path_delay_ps(safe + 1, 1, 1) > period);
  }
  const TimingModel nominal(at(0.9, 0.0), 1, 1);
  CHECK(nominal.t_carry_ps() == Approx(950.0 / 40.0));
  CHECK(nominal.t_fixed_ps() == Approx(8 * 950.0 / 40.0));
  CHECK(nominal.path_delay_ps(32, 0, 0) == Approx(950.0));  // (1 - guard_band) of the 1 GHz period
}

TEST_CASE("At nominal voltage without variation no accumulate ever fails", "[unit][timing]") {
  const TimingModel tm(at(0.9, 0.0), 4, 4);
  CHECK(tm.min_safe_chain() == 32);
  // Every chain length 0..32 fits, so the rule can never fire: check the worst chains and real data.
  std::mt19937 rng(3);
  std::int64_t wrong = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::uint32_t a = rng(), b = rng();
    wrong += tm.accumulate(i % 4, (i / 4) % 4, a, static_cast<std::int32_t>(b)) != a + b;
  }
  CHECK(wrong == 0);
  CHECK(tm.accumulate(0, 0, 0x7FFFFFFFu, 1) == 0x80000000u);  // L = 31 ending at bit 31
  CHECK(tm.accumulate(0, 0, 0xFFFFFFFFu, 1) == 0u);           // L = 32
  const Steps s = dot_steps(64, 4096);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) CHECK(tm.count_errors(r, c, s.acc, s.addend) == 0);
}

TEST_CASE("The run's nominal supply and clock, wherever they are, are the sign-off point", "[unit][timing]") {
  // [arch] v_nominal = 0.8 V, clock_ghz = 2: at V = 0.8 the worst chain takes (1 - guard_band) of 500 ps.
  ArrayConfig run;
  run.v_nominal = 0.8;
  run.clock_ghz = 2.0;
  VoltageConfig cfg = voltage_defaults(run);
  cfg.sigma = 0;
  const TimingModel nominal(cfg, 4, 4);
  CHECK(nominal.config().v == 0.8);
  CHECK(nominal.delay_scale() == 1.0);
  CHECK(nominal.error_free());
  CHECK(nominal.path_delay_ps(32, 0, 0) == Approx(0.95 * 500.0));
  // Errors depend on V relative to the nominal, not on the clock: 0.8 V is underscaled against 0.9 V
  // (S = 28, as in the table above) at any clock: the adder is timed to the clock at the nominal.
  for (double ghz : {0.5, 1.0, 3.0}) {
    VoltageConfig under = at(0.8, 0.0);
    under.clock_ghz = ghz;
    const TimingModel tm(under, 2, 2);
    INFO(ghz << " GHz");
    CHECK(tm.max_safe_chain() == 28);
    CHECK_FALSE(tm.error_free());
  }
  const Steps s = dot_steps(8, 4096);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) CHECK(nominal.count_errors(r, c, s.acc, s.addend) == 0);
}

TEST_CASE("Error probability is monotone non-increasing in V", "[unit][timing]") {
  const Steps s = dot_steps(8, 4096);
  const int dim = 4;
  std::int64_t prev_errors = -1;
  std::vector<int> prev_safe(dim * dim, -1);
  for (int step = 0; step <= 40; ++step) {  // 0.90 V .. 0.50 V, increasing errors expected
    const double v = 0.90 - 0.01 * step;
    const TimingModel tm(at(v), dim, dim);
    std::int64_t errors = 0;
    for (int r = 0; r < dim; ++r)
      for (int c = 0; c < dim; ++c) {
        errors += tm.count_errors(r, c, s.acc, s.addend);
        // The per-PE safe length can only shrink as V drops.
        if (prev_safe[r * dim + c] >= 0) CHECK(tm.max_safe_chain(r, c) <= prev_safe[r * dim + c]);
        prev_safe[r * dim + c] = tm.max_safe_chain(r, c);
      }
    INFO("V = " << v);
    CHECK(errors >= prev_errors);
    prev_errors = errors;
  }
  CHECK(prev_errors > 0);  // at 0.5 V (S around 5) inner chains do fail
}

TEST_CASE("Failed accumulates are exactly 2^j too small, and batches equal the scalar path", "[unit][timing]") {
  const int rows = 6, cols = 7;
  const TimingModel tm(at(0.55), rows, cols);
  const Steps s = dot_steps(2, 4096);
  const std::size_t n = s.acc.size();
  // Scalar path: every step on PE (r, c), with the error bit.
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      std::int64_t errors = 0;
      ErrorBitHistogram hist{};
      for (std::size_t i = 0; i < n; ++i) {
        int j = -2;
        const std::uint32_t latched = tm.accumulate(r, c, s.acc[i], s.addend[i], &j);
        const std::uint32_t correct = s.acc[i] + static_cast<std::uint32_t>(s.addend[i]);
        CHECK((j >= 0) == tm.fails(r, c, s.acc[i], s.addend[i]));
        if (j >= 0) {
          ++errors;
          ++hist[static_cast<std::size_t>(j)];
          REQUIRE(j < 32);
          CHECK(correct - latched == (1u << j));  // -2^j mod 2^32
        } else {
          CHECK(latched == correct);
        }
      }
      ErrorBitHistogram batch_hist{};
      CHECK(tm.count_errors(r, c, s.acc, s.addend, &batch_hist) == errors);
      CHECK(tm.count_errors(r, c, s.acc, s.addend) == errors);
      CHECK(batch_hist == hist);
    }
  }
  // Row and column batches: pair i goes to PE (r, c0 + i) or (r0 + i, c).
  for (std::size_t off = 0; off + cols <= 2000; off += cols) {
    for (int r = 0; r < rows; ++r) {
      std::int64_t expect = 0;
      for (int c = 0; c < cols; ++c) expect += tm.fails(r, c, s.acc[off + c], s.addend[off + c]);
      CHECK(tm.count_errors_row(r, 0, std::span(s.acc).subspan(off, cols), std::span(s.addend).subspan(off, cols)) ==
            expect);
    }
  }
  for (std::size_t off = 0; off + rows <= 2000; off += rows) {
    for (int c = 0; c < cols; ++c) {
      std::int64_t expect = 0;
      ErrorBitHistogram hist{}, expect_hist{};
      for (int r = 0; r < rows; ++r) {
        int j = -1;
        tm.accumulate(r, c, s.acc[off + r], s.addend[off + r], &j);
        if (j >= 0) ++expect, ++expect_hist[static_cast<std::size_t>(j)];
      }
      CHECK(tm.count_errors_col(c, 0, std::span(s.acc).subspan(off, rows), std::span(s.addend).subspan(off, rows),
                                &hist) == expect);
      CHECK(hist == expect_hist);
    }
  }
  CHECK_THROWS(tm.count_errors_row(0, 1, std::span(s.acc).subspan(0, cols), std::span(s.addend).subspan(0, cols)));
  CHECK_THROWS(
      tm.count_errors_col(0, 0, std::span(s.acc).subspan(0, rows + 1), std::span(s.addend).subspan(0, rows + 1)));
}

TEST_CASE("Per-PE variation is a pure function of (chip_seed, r, c)", "[unit][timing]") {
  const TimingModel a(at(0.7), 16, 16), b(at(0.7), 16, 16), small(at(0.7), 5, 9), other(at(0.7, 0.03, 2), 16, 16);
  int differ = 0;
  for (int r = 15; r >= 0; --r) {  // reverse order of construction
    for (int c = 15; c >= 0; --c) {
      CHECK(a.pe_factor(r, c) == b.pe_factor(r, c));
      CHECK(a.max_safe_chain(r, c) == b.max_safe_chain(r, c));
      CHECK(a.pe_factor(r, c) == 1.0 + 0.03 * pe_standard_normal(1, r, c));
      if (r < 5 && c < 9) CHECK(small.pe_factor(r, c) == a.pe_factor(r, c));  // independent of array size
      differ += other.pe_factor(r, c) != a.pe_factor(r, c);
    }
  }
  CHECK(differ == 256);
  // Query order does not matter: interleaved single queries equal the table.
  CHECK(pe_standard_normal(1, 3, 4) == pe_standard_normal(1, 3, 4));
  CHECK(pe_standard_normal(1, 3, 4) != pe_standard_normal(1, 4, 3));
  // z is standard normal: mean and variance over 128 x 128 PEs within 5 standard errors.
  double sum = 0, sum2 = 0;
  const int n = 128;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const double z = pe_standard_normal(9, r, c);
      sum += z;
      sum2 += z * z;
    }
  const double count = n * n, mean = sum / count, var = sum2 / count - mean * mean;
  CHECK(std::abs(mean) < 5.0 / std::sqrt(count));
  CHECK(std::abs(var - 1.0) < 5.0 * std::sqrt(2.0 / count));
  // Variation shows up in the safe lengths at 0.7 V (sigma 0 would give 22 everywhere).
  CHECK(a.min_safe_chain() < a.max_safe_chain());
}

TEST_CASE("INT8 products added into a running INT32 sum: long chains come from sign extension", "[unit][timing]") {
  // background.md: about a quarter of the additions propagate a carry 16+ bits. Mechanism: a
  // non-negative partial sum acc < 2^17 plus a negative product (bits 14..31 all ones) generates at
  // acc's top set bit m and ripples through bits m+1..31 to the carry-out, L = 32 - m >= 16. So
  //   P(L >= 16) ~= P(product < 0) * mean_k P(0 <= acc_k < 2^17),
  // with P(product < 0) = 2 * (128/256) * (127/256) and acc_k ~ N(0, k * 5461.5^2)
  // (Var(x w) = E[x^2]^2 - E[x]^4 with E[x] = -1/2, Var(x) = (256^2 - 1) / 12). The fraction is
  // ~1/4 while partial sums stay below 2^17 (short reductions) and falls as they grow.
  const double p_neg = 2.0 * (128.0 / 256.0) * (127.0 / 256.0);
  const auto predicted = [&](std::size_t k_len) {
    double s = 0;
    for (std::size_t k = 1; k < k_len; ++k)
      s += 0.5 * std::erf(131072.0 / (5461.5 * std::sqrt(static_cast<double>(k))) / std::sqrt(2.0));
    return p_neg * s / static_cast<double>(k_len);
  };
  const auto measure = [](std::size_t k_len, int dots, double& inner_long) {
    const Steps s = dot_steps(dots, k_len, 11);
    std::int64_t long_chains = 0, inner = 0;
    for (std::size_t i = 0; i < s.acc.size(); ++i) {
      const CarryChain ch = longest_carry_chain<32>(s.acc[i], static_cast<std::uint32_t>(s.addend[i]));
      long_chains += ch.length >= 16;
      inner += ch.length >= 16 && ch.end < 32;
    }
    inner_long = static_cast<double>(inner) / static_cast<double>(s.acc.size());
    return static_cast<double>(long_chains) / static_cast<double>(s.acc.size());
  };
  // Tolerance 0.01: the fraction varies strongly from one partial-sum path to the next (it depends on
  // how far that random walk wanders: sd ~0.085 per path), so the sampling error over 2000 paths is ~0.002;
  // the approximation ignores sign crossings and chains from below bit 14 (< 0.003 here).
  double inner = 0;
  const double short_k = measure(256, 8000, inner);  // one 256-row tile of a reduction
  INFO("K = 256: measured " << short_k << ", predicted " << predicted(256));
  CHECK(short_k == Approx(predicted(256)).margin(0.01));
  CHECK(short_k == Approx(0.25).margin(0.03));       // "about a quarter"
  const double long_k = measure(4096, 2000, inner);  // the full K = 4096 of saffire voltage-curve
  INFO("K = 4096: measured " << long_k << ", predicted " << predicted(4096));
  CHECK(long_k == Approx(predicted(4096)).margin(0.01));
  // Almost all of them end at the carry-out, where the missing carry is harmless (error rule).
  CHECK(inner < 1e-4);
}
