// Stuck-at (permanent) faults: closed forms on small cases, an independent reference walk written
// from the definition (the stuck bits forced at every accumulate of a faulty PE, in the dataflow's
// order), and the same outputs and logged faults on the PE-level array, the fold-level array and the
// cpu engine, at any thread count. Bad input names the field.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "arch/config_error.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/fault_injecting_engine.hpp"
#include "sim/faults/fault_model_factory.hpp"
#include "sim/faults/stuck_at.hpp"
#include "tests/sim/faults/engines_under_test.hpp"
#include "tests/test_support.hpp"

using namespace saffire;

namespace {

// The stuck bits applied to one sum, straight from the list (not through StuckAtMap).
std::uint32_t forced(const std::vector<faults::StuckBit>& bits, std::int64_t r, std::int64_t c, std::uint32_t v) {
  for (const faults::StuckBit& s : bits)
    if (s.row == r && s.col == c) v = s.value ? (v | (1u << s.bit)) : (v & ~(1u << s.bit));
  return v;
}

// Reference outputs: OS: output (m, n) sits in PE (m % R, n % C) and accumulates k = 0..K-1 there.
// WS: for each reduction tile, the partial sum of (m, n) walks PE rows 0..R-1 of column n % C, rows
// past K adding 0; the tiles' partial sums are added exactly.
std::vector<std::int32_t> reference(const arch::ArrayConfig& cfg, const std::vector<faults::StuckBit>& bits,
                                    const arch::GemmShape& s, const models::GemmOperands& ops) {
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  const std::int64_t R = cfg.rows, C = cfg.cols;
  for (std::int64_t m = 0; m < s.m; ++m)
    for (std::int64_t n = 0; n < s.n; ++n) {
      auto prod = [&](std::int64_t k) {
        return static_cast<std::uint32_t>(std::int32_t{ops.x[m * s.k + k]} * ops.w[k * s.n + n]);
      };
      std::uint32_t out = 0;
      if (cfg.dataflow == arch::Dataflow::OS) {
        for (std::int64_t k = 0; k < s.k; ++k) out = forced(bits, m % R, n % C, out + prod(k));
      } else {
        for (std::int64_t k0 = 0; k0 < s.k; k0 += R) {
          std::uint32_t psum = 0;
          for (std::int64_t r = 0; r < R; ++r) psum = forced(bits, r, n % C, psum + (k0 + r < s.k ? prod(k0 + r) : 0u));
          out += psum;
        }
      }
      y[static_cast<std::size_t>(m * s.n + n)] = static_cast<std::int32_t>(out);
    }
  return y;
}

std::shared_ptr<faults::FaultPlan> stuck_plan(const arch::ArrayConfig& cfg, const std::vector<faults::StuckBit>& bits) {
  faults::FaultModelParams p;
  p.model = "stuck-at";
  p.array = cfg;
  p.stuck = bits;
  return std::make_shared<faults::FaultPlan>(faults::make_fault_model(p), faults::FaultTargeting{});
}

arch::ArrayConfig array(std::int64_t rows, std::int64_t cols, arch::Dataflow df) {
  arch::ArrayConfig cfg;
  cfg.rows = rows;
  cfg.cols = cols;
  cfg.dataflow = df;
  return cfg;
}

}  // namespace

TEST_CASE("Stuck-at closed forms: all-ones operands through one PE with bit 0 stuck at 1", "[faults][stuck]") {
  // OS 2x2, M = N = 4, K = 5: the outputs in PE (0, 0) (m, n even) latch (acc + 1) | 1 at each of
  // the K steps: 1, 3, 5, ... = 2K - 1; every other output is K.
  {
    const auto cfg = array(2, 2, arch::Dataflow::OS);
    const arch::GemmShape s{4, 4, 5};
    models::GemmOperands ops{s, std::vector<std::int8_t>(20, 1), std::vector<std::int8_t>(20, 1)};
    const auto plan = stuck_plan(cfg, {{0, 0, 0, 1}});
    for (int e = 0; e < test::kFaultEngines; ++e) {
      const auto y = test::run_on_engine(e, cfg, plan, ops);
      for (std::int64_t m = 0; m < 4; ++m)
        for (std::int64_t n = 0; n < 4; ++n) CHECK(y[static_cast<std::size_t>(m * 4 + n)] == (m % 2 == 0 && n % 2 == 0 ? 9 : 5));
    }
  }
  // WS 4x3, K = R = 4, PE (1, 2) bit 0 stuck at 1: a column-2 partial sum is 1 after row 0, latches
  // (1 + 1) | 1 = 3 in row 1, then adds rows 2 and 3: R + 1 = 5; the other columns give R = 4.
  {
    const auto cfg = array(4, 3, arch::Dataflow::WS);
    const arch::GemmShape s{3, 6, 4};
    models::GemmOperands ops{s, std::vector<std::int8_t>(12, 1), std::vector<std::int8_t>(24, 1)};
    const auto plan = stuck_plan(cfg, {{1, 2, 0, 1}});
    for (int e = 0; e < test::kFaultEngines; ++e) {
      const auto y = test::run_on_engine(e, cfg, plan, ops);
      for (std::int64_t m = 0; m < 3; ++m)
        for (std::int64_t n = 0; n < 6; ++n) CHECK(y[static_cast<std::size_t>(m * 6 + n)] == (n % 3 == 2 ? 5 : 4));
    }
  }
  // WS, K = 2 on 4 rows: PE row 3 is unused by the only reduction fold, yet a stuck-at-1 bit 4 there
  // still latches every partial sum of its column passing through: 2 + 16 = 18.
  {
    const auto cfg = array(4, 2, arch::Dataflow::WS);
    const arch::GemmShape s{2, 2, 2};
    models::GemmOperands ops{s, std::vector<std::int8_t>(4, 1), std::vector<std::int8_t>(4, 1)};
    const auto plan = stuck_plan(cfg, {{3, 1, 4, 1}});
    for (int e = 0; e < test::kFaultEngines; ++e) {
      const auto y = test::run_on_engine(e, cfg, plan, ops);
      CHECK(y == std::vector<std::int32_t>{2, 18, 2, 18});
    }
    // Its faults are logged past the reduction (k = row 3 >= K).
    CHECK(plan->fault_count() > 0);
    for (const auto& lf : plan->log()) CHECK(lf.step == 3);
  }
}

TEST_CASE("Stuck-at: PE-level, fold-level and cpu engines equal the reference walk and log the same faults", "[faults][stuck]") {
  const std::vector<faults::StuckBit> bits = {{0, 0, 3, 1}, {2, 1, 30, 1}, {2, 1, 5, 0}, {4, 3, 31, 0}, {5, 4, 0, 1}, {1, 4, 12, 1}};
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    const auto cfg = array(6, 5, df);
    for (const arch::GemmShape s : {arch::GemmShape{9, 12, 70}, arch::GemmShape{13, 7, 4}, arch::GemmShape{6, 5, 6}}) {
      const auto ops = models::random_gemm_operands(s, 11);
      const auto ref = reference(cfg, bits, s, ops);
      std::vector<std::int32_t> clean(ref.size());
      models::naive_int8_gemm({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, clean.data(), s.n, false});
      CHECK(ref != clean);  // the case exercises the faults
      std::vector<std::vector<faults::LoggedFault>> logs;
      for (int e = 0; e < test::kFaultEngines; ++e) {
        INFO(arch::to_string(df) << " " << s.m << "x" << s.n << "x" << s.k << " engine " << e);
        const auto plan = stuck_plan(cfg, bits);
        CHECK(test::run_on_engine(e, cfg, plan, ops) == ref);
        logs.push_back(plan->log());
        CHECK(plan->fault_count() == static_cast<std::int64_t>(logs.back().size()));
        for (const auto& lf : logs.back()) {
          CHECK(lf.values.before != lf.values.after);
          CHECK(lf.fault.m < s.m);
          CHECK(lf.fault.n < s.n);
        }
      }
      for (int e = 1; e < test::kFaultEngines; ++e) {
        REQUIRE(logs[static_cast<std::size_t>(e)].size() == logs[0].size());
        for (std::size_t i = 0; i < logs[0].size(); ++i) {
          const auto& a = logs[0][i];
          const auto& b = logs[static_cast<std::size_t>(e)][i];
          CHECK((a.fault.m == b.fault.m && a.fault.n == b.fault.n && a.step == b.step && a.fault.bit == b.fault.bit &&
                 a.values.before == b.values.before && a.values.after == b.values.after));
        }
      }
    }
  }
}

TEST_CASE("Stuck-at: random PEs are drawn per PE from the seed", "[faults][stuck]") {
  const auto a = faults::random_stuck_bits(16, 16, 0.1, 7);
  CHECK(a == faults::random_stuck_bits(16, 16, 0.1, 7));
  CHECK(a != faults::random_stuck_bits(16, 16, 0.1, 8));
  CHECK(a.size() > 5);
  CHECK(a.size() < 60);  // 25.6 expected
  CHECK(faults::random_stuck_bits(8, 8, 0.0, 7).empty());
  CHECK(faults::random_stuck_bits(8, 8, 1.0, 7).size() == 64);
  // Counter-based: the PEs of a 16x16 array inside a 32x32 one have the same fate.
  std::vector<faults::StuckBit> inner;
  for (const auto& s : faults::random_stuck_bits(32, 32, 0.1, 7))
    if (s.row < 16 && s.col < 16) inner.push_back(s);
  CHECK(inner == a);
  for (const auto& s : a) {
    CHECK(s.bit >= 0);
    CHECK(s.bit <= 31);
    CHECK((s.value == 0 || s.value == 1));
  }
}

TEST_CASE("Stuck-at: bad input names the field, file and line", "[faults][stuck]") {
  using test::error_of;
  CHECK_THAT(error_of([] { faults::StuckAtMap(4, 4, {{4, 0, 1, 1}}); }), Catch::Contains("outside the 4x4 array"));
  CHECK_THAT(error_of([] { faults::StuckAtMap(4, 4, {{0, 0, 32, 1}}); }), Catch::Contains("bit 32"));
  CHECK_THAT(error_of([] { faults::StuckAtMap(4, 4, {{0, 0, 3, 2}}); }), Catch::Contains("value 2"));
  CHECK_THAT(error_of([] { faults::StuckAtMap(4, 4, {{0, 0, 3, 1}, {0, 0, 3, 0}}); }), Catch::Contains("also stuck at 1"));
  CHECK_THAT(error_of([] { faults::parse_stuck_bit("1,2,40,1", "--stuck"); }), Catch::Contains("bit: expected an integer in 0..31"));
  CHECK_THAT(error_of([] { faults::parse_stuck_bit("1,2,3", "--stuck"); }), Catch::Contains("--stuck '1,2,3': expected ROW,COL,BIT,VALUE"));
  CHECK_THAT(error_of([] { faults::parse_stuck_bit("1,x,3,1", "--stuck"); }), Catch::Contains("col"));
  CHECK_THAT(error_of([] { faults::random_stuck_bits(4, 4, 1.5, 1); }), Catch::Contains("--stuck-fraction"));
  const auto dir = std::filesystem::temp_directory_path() / "saffire_stuck_test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "pes.csv";
  std::ofstream(file) << "row,col,bit,value\n# a comment\n1,1,3,1\n2,1,3,7\n";
  CHECK_THAT(error_of([&] { faults::read_stuck_csv(file); }), Catch::Contains("pes.csv:4: value"));
  std::ofstream(file) << "r,c,b,v\n";
  CHECK_THAT(error_of([&] { faults::read_stuck_csv(file); }), Catch::Contains("expected the header 'row,col,bit,value'"));
  std::ofstream(file) << "row,col,bit,value\n1,1,3,1\n0,2,31,0\n";
  CHECK(faults::read_stuck_csv(file) == std::vector<faults::StuckBit>{{1, 1, 3, 1}, {0, 2, 31, 0}});
  faults::FaultModelParams p;
  p.model = "stuck-at";
  p.array = array(4, 4, arch::Dataflow::OS);
  CHECK_THAT(error_of([&] { faults::make_fault_model(p); }), Catch::Contains("needs --stuck"));
  p.model = "stuck";
  CHECK_THAT(error_of([&] { faults::make_fault_model(p); }), Catch::Contains("expected one of: bitflip, timing, table, stuck-at"));
  std::filesystem::remove_all(dir);
}
