// SRAM errors in the stored operands: the bit-cell failure curve (Gaussian Vmin closed form, user
// tables and their errors), the per-site sampler (rates against the binomial, site-determinism, p = 0
// and 1), persistence (one weight error hits every use: the output change is X[:, k] * delta in one
// column, by a naive loop), and every engine (cpu, PE-level, fold-level on 1 and 2 threads) reading the
// same copies: bit-identical outputs equal to a naive GEMM on the SRAM copy.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <memory>

#include "arch/config_error.hpp"
#include "arch/tech/sram_bitcell.hpp"
#include "engines_under_test.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/faults/sram_faults.hpp"
#include "test_support.hpp"

using namespace saffire;
using saffire::test::error_of;

TEST_CASE("SRAM bit-cell failure curve: Gaussian Vmin and user tables", "[unit][faults]") {
  const arch::SramFailureCurve g = arch::SramFailureCurve::gaussian_vmin();
  // Wilkerson et al.'s 1e-3 at 0.5 V: Q(3.09) = 1.0e-3.
  CHECK(g.probability(0.5) == Approx(1e-3).epsilon(0.01));
  CHECK(g.probability(arch::kDefaultSramVminMean) == Approx(0.5));
  // Q((0.6 - 0.3455) / 0.05) = Q(5.09) = 1.79e-7.
  CHECK(g.probability(0.6) == Approx(0.5 * std::erfc(5.09 / std::sqrt(2.0))));
  for (double v = 0.35; v < 0.9; v += 0.05) CHECK(g.probability(v + 0.05) < g.probability(v));
  CHECK_THROWS_AS(arch::SramFailureCurve::gaussian_vmin(0.4, 0), ConfigError);

  const arch::SramFailureCurve t =
      arch::parse_sram_failure_table("# chip 7\nvoltage,probability\n0.5,1e-2\n0.6,1e-6\n0.7,0\n", "chip.csv");
  CHECK(t.probability(0.5) == 1e-2);
  CHECK(t.probability(0.55) == Approx(1e-4));   // log-linear between 1e-2 and 1e-6
  CHECK(t.probability(0.65) == Approx(0.5e-6));  // linear next to a zero
  // Out of the table, bad rows: exit-2 errors naming the file and line.
  CHECK(error_of([&] { (void)t.probability(0.45); }).find("chip.csv: SRAM voltage 0.45 V is outside the table") != std::string::npos);
  CHECK(error_of([] { arch::parse_sram_failure_table("voltage,probability\n0.5,1.5\n", "p.csv"); }).find("p.csv:2: probability") != std::string::npos);
  CHECK(error_of([] { arch::parse_sram_failure_table("voltage,probability\n0.5,-1e-3\n", "p.csv"); }).find("p.csv:2: probability") != std::string::npos);
  CHECK(error_of([] { arch::parse_sram_failure_table("voltage,probability\nlow,1e-3\n", "n.csv"); }).find("n.csv:2: voltage") != std::string::npos);
  CHECK(error_of([] { arch::parse_sram_failure_table("voltage,probability\n0.5,1e-3\n0.5,1e-4\n", "d.csv"); }).find("d.csv:3: voltage 0.5 is given twice") != std::string::npos);
  CHECK(error_of([] { arch::parse_sram_failure_table("voltage,probability\n7,1e-3\n", "v.csv"); }).find("v.csv:2: voltage") != std::string::npos);
  CHECK(error_of([] { arch::parse_sram_failure_table("voltage,p\n0.5,1e-3\n", "h.csv"); }).find("h.csv") != std::string::npos);
  CHECK(error_of([] { arch::parse_sram_failure_table("voltage,probability\n", "e.csv"); }).find("e.csv: the table has no rows") != std::string::npos);
}

TEST_CASE("SRAM fault sampling: binomial rates, per site, p = 0 and 1", "[unit][faults]") {
  faults::SramFaultConfig cfg;
  cfg.bit_probability = 0.01;
  cfg.seed = 5;
  const std::int64_t m = 100, n = 90, k = 80;
  const auto f = faults::sample_sram_faults(cfg, 42, m, n, k);
  std::int64_t bits = 0, x_words = 0;
  for (const auto& e : f) {
    bits += std::popcount(e.mask);
    x_words += e.operand == faults::SramOperand::Ifmap;
    CHECK(e.mask != 0);
  }
  // 8 (m k + k n) cells at 1 %: mean 11520, sigma ~107; faulty words ~ 1 - 0.99^8 of the m k X words.
  const double cells = 8.0 * (m * k + k * n), mean = cells * 0.01;
  CHECK(std::abs(static_cast<double>(bits) - mean) < 5 * std::sqrt(mean));
  const double x_mean = m * k * (1 - std::pow(0.99, 8));
  CHECK(std::abs(static_cast<double>(x_words) - x_mean) < 5 * std::sqrt(x_mean));
  // A pure function of (seed, residence, site): the same again, another residence or seed differs.
  CHECK(faults::sample_sram_faults(cfg, 42, m, n, k) == f);
  CHECK_FALSE(faults::sample_sram_faults(cfg, 43, m, n, k) == f);
  // Sites of X do not depend on N (its rows are K words): the X faults of a wider GEMM are the same.
  const auto wider = faults::sample_sram_faults(cfg, 42, m, n + 7, k);
  std::vector<faults::SramBitFault> x_only, x_only_wider;
  for (const auto& e : f) if (e.operand == faults::SramOperand::Ifmap) x_only.push_back(e);
  for (const auto& e : wider) if (e.operand == faults::SramOperand::Ifmap) x_only_wider.push_back(e);
  CHECK(x_only == x_only_wider);
  cfg.weights = false;
  for (const auto& e : faults::sample_sram_faults(cfg, 42, m, n, k)) CHECK(e.operand == faults::SramOperand::Ifmap);
  cfg.weights = true;
  cfg.bit_probability = 0;
  CHECK(faults::sample_sram_faults(cfg, 42, m, n, k).empty());
  cfg.bit_probability = 1;
  const auto all = faults::sample_sram_faults(cfg, 42, 3, 4, 5);
  CHECK(all.size() == static_cast<std::size_t>(3 * 5 + 5 * 4));
  for (const auto& e : all) CHECK(e.mask == 0xFF);
  cfg.bit_probability = 1.5;
  CHECK_THROWS_AS(faults::sample_sram_faults(cfg, 1, 2, 2, 2), ConfigError);
}

TEST_CASE("A stored weight error hits every use of that weight", "[unit][faults]") {
  const models::GemmOperands ops = models::random_gemm_operands({13, 11, 9}, 3);
  const arch::GemmShape& s = ops.shape;
  std::vector<std::int32_t> clean(static_cast<std::size_t>(s.m * s.n)), faulty(clean.size());
  const models::Int8GemmArgs args{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, clean.data(), s.n, false};
  models::naive_int8_gemm(args);
  const std::int64_t k0 = 4, n0 = 7;
  const faults::SramCopy copy(args, {{faults::SramOperand::Filter, k0, n0, 0x41}});
  models::Int8GemmArgs f = copy.args();
  f.y = faulty.data();
  models::naive_int8_gemm(f);
  const std::int8_t w = ops.w[static_cast<std::size_t>(k0 * s.n + n0)];
  const int delta = static_cast<std::int8_t>(static_cast<std::uint8_t>(w) ^ 0x41) - w;
  for (std::int64_t i = 0; i < s.m; ++i)
    for (std::int64_t j = 0; j < s.n; ++j) {
      const std::int32_t expect = j == n0 ? delta * ops.x[static_cast<std::size_t>(i * s.k + k0)] : 0;
      CHECK(faulty[static_cast<std::size_t>(i * s.n + j)] - clean[static_cast<std::size_t>(i * s.n + j)] == expect);
    }
}

TEST_CASE("SRAM faults: every engine reads the same scratchpad copies", "[sim][faults]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    arch::ArrayConfig cfg;
    cfg.rows = 4;
    cfg.cols = 5;
    cfg.dataflow = df;
    const models::GemmOperands ops = models::random_gemm_operands({11, 9, 13}, 21);
    faults::BitflipConfig none;  // no accumulator faults: the SRAM's alone
    auto plan = std::make_shared<faults::FaultPlan>(none, faults::FaultTargeting{});
    faults::SramFaultConfig sram;
    sram.bit_probability = 0.02;
    sram.seed = 9;
    plan->set_sram_faults(sram);
    models::GemmId id;
    id.layer = 1;
    // The reference: a naive GEMM on the copy the plan's faults make.
    const arch::GemmShape& s = ops.shape;
    std::vector<std::int32_t> expect(static_cast<std::size_t>(s.m * s.n)), clean(expect.size());
    const models::Int8GemmArgs args{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, clean.data(), s.n, false};
    models::naive_int8_gemm(args);
    const auto sites = plan->sram_sample(id, s.m, s.n, s.k);
    REQUIRE(sites.size() > 5);
    const faults::SramCopy copy(args, sites);
    models::Int8GemmArgs c = copy.args();
    c.y = expect.data();
    models::naive_int8_gemm(c);
    REQUIRE(expect != clean);
    for (int e = 0; e < test::kFaultEngines; ++e) {
      INFO("dataflow " << arch::to_string(df) << ", engine " << e);
      CHECK(test::run_on_engine(e, cfg, plan, ops, id) == expect);
    }
    CHECK(plan->sram_fault_words() == test::kFaultEngines * static_cast<std::int64_t>(sites.size()));
    // Untargeted GEMMs read clean copies.
    faults::FaultTargeting only_layer0;
    only_layer0.layers = {0};
    auto untargeted = std::make_shared<faults::FaultPlan>(none, only_layer0);
    untargeted->set_sram_faults(sram);
    CHECK(test::run_on_engine(1, cfg, untargeted, ops, id) == clean);
  }
}
