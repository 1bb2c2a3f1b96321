// Floating-point (and INT16) PEs: the PE-level array, the fold-level array and the cpu ordered GEMM
// give bit-identical outputs, equal to the dataflow's order written out with MPFR, over random shapes
// and array sizes (padded folds, OS drain), values with subnormals, infinities, NaN and overflow; the
// cycle count is the INT8 array's.
#include <catch2/catch.hpp>

#include <vector>

#include "models/gemm/ordered_gemm.hpp"
#include "ordered_reference.hpp"
#include "sim/array_model.hpp"
#include "sim/engine_factory.hpp"
#include "test_support.hpp"

using namespace saffire;
using arch::NumberFormat;

namespace {

std::size_t mismatches(const std::vector<double>& a, const std::vector<double>& b) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.size(); ++i) bad += !models::same_value(a[i], b[i]);
  return bad;
}

}  // namespace

TEST_CASE("PE level, fold level and cpu agree bit for bit with MPFR in the array's order", "[unit]") {
  struct Design {
    NumberFormat operand, accumulator, buffer;
    bool fma;
  };
  const Design designs[] = {
      {NumberFormat::Bf16, NumberFormat::Fp32, NumberFormat::Fp32, true},
      {NumberFormat::Fp16, NumberFormat::Fp16, NumberFormat::Fp16, false},
      {NumberFormat::Fp8E4M3, NumberFormat::Fp32, NumberFormat::Bf16, false},
      {NumberFormat::Fp8E5M2, NumberFormat::Bf16, NumberFormat::Fp32, true},
      {NumberFormat::Fp16, NumberFormat::Fp32, NumberFormat::Fp16, true},
  };
  std::uint64_t seed = 7;
  for (const Design& d : designs) {
    for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
      for (bool specials : {false, true}) {
        ++seed;
        arch::ArrayConfig cfg;
        cfg.rows = 2 + static_cast<int>(seed % 4);
        cfg.cols = 2 + static_cast<int>(seed * 3 % 5);
        cfg.dataflow = df;
        cfg.os_drain = seed % 3 == 0;
        arch::set_numeric_types(cfg, d.operand, d.accumulator, d.buffer);
        cfg.numerics.fma = d.fma;
        const std::int64_t m = 1 + static_cast<std::int64_t>(seed * 7 % 11), n = 1 + static_cast<std::int64_t>(seed * 5 % 13),
                           k = 1 + static_cast<std::int64_t>(seed * 11 % 17);
        const auto x = test::random_values(d.operand, static_cast<std::size_t>(m * k), seed, specials);
        const auto w = test::random_values(d.operand, static_cast<std::size_t>(k * n), seed + 99, specials);
        const auto want = test::mpfr_ordered_gemm(x, w, m, n, k, cfg.numerics, df == arch::Dataflow::WS, cfg.rows);
        INFO(arch::describe(cfg.numerics) << " " << cfg.rows << "x" << cfg.cols << " " << arch::to_string(df)
                                          << " drain " << cfg.os_drain << " m,n,k " << m << "," << n << "," << k
                                          << (specials ? " specials" : ""));
        std::vector<double> cpu(static_cast<std::size_t>(m * n), -3.0);
        models::ordered_gemm({m, n, k, x.data(), k, w.data(), n, cpu.data(), n}, cfg.numerics,
                             models::accumulation_order(cfg), 2);
        CHECK(mismatches(cpu, want) == 0);
        const arch::CycleReport expected = arch::analytical_cycles(cfg, {m, n, k});
        for (sim::Fidelity f : {sim::Fidelity::PE, sim::Fidelity::Fold}) {
          std::vector<double> y(static_cast<std::size_t>(m * n), -5.0);  // garbage: the array overwrites it
          sim::ArrayModel model(cfg, f, 1);
          const sim::ArrayRunStats stats = model.run({m, n, k, x.data(), k, w.data(), n, y.data(), n});
          INFO("fidelity " << sim::to_string(f));
          CHECK(mismatches(y, want) == 0);
          CHECK(stats.report.cycles == expected.cycles);
        }
      }
    }
  }
}

TEST_CASE("INT16 PEs: exact products, int32 wrap-around, on both fidelities", "[unit]") {
  arch::ArrayConfig cfg;
  cfg.rows = 3;
  cfg.cols = 4;
  arch::set_numeric_types(cfg, NumberFormat::Int16, std::nullopt, std::nullopt);
  const std::int64_t m = 5, n = 6, k = 9;
  const auto x = test::random_values(NumberFormat::Int16, m * k, 3, true);
  const auto w = test::random_values(NumberFormat::Int16, k * n, 4, true);
  std::vector<double> want(static_cast<std::size_t>(m * n));
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      std::uint32_t sum = 0;  // the naive loop: int64 products, sums mod 2^32
      for (std::int64_t kk = 0; kk < k; ++kk)
        sum += static_cast<std::uint32_t>(static_cast<std::int64_t>(x[static_cast<std::size_t>(i * k + kk)]) *
                                          static_cast<std::int64_t>(w[static_cast<std::size_t>(kk * n + j)]));
      want[static_cast<std::size_t>(i * n + j)] = static_cast<double>(static_cast<std::int32_t>(sum));
    }
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    cfg.dataflow = df;
    for (sim::Fidelity f : {sim::Fidelity::PE, sim::Fidelity::Fold}) {
      std::vector<double> y(static_cast<std::size_t>(m * n));
      sim::ArrayModel(cfg, f, 1).run({m, n, k, x.data(), k, w.data(), n, y.data(), n});
      CHECK(y == want);
    }
  }
}

TEST_CASE("engines: cpu and array numeric_gemm follow the configured array's order; INT8-only engines refuse", "[unit]") {
  arch::ArrayConfig cfg;
  cfg.rows = 3;
  cfg.cols = 5;
  arch::set_numeric_types(cfg, NumberFormat::Fp16, NumberFormat::Fp16, std::nullopt);
  const std::int64_t m = 4, n = 7, k = 10;
  const auto x = test::random_values(NumberFormat::Fp16, m * k, 11, false);
  const auto w = test::random_values(NumberFormat::Fp16, k * n, 12, false);
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    cfg.dataflow = df;
    const auto want = test::mpfr_ordered_gemm(x, w, m, n, k, cfg.numerics, df == arch::Dataflow::WS, cfg.rows);
    sim::EngineOptions opts;
    opts.array = cfg;
    opts.threads = 1;
    for (const char* name : {"cpu", "array"}) {
      auto engine = sim::make_gemm_engine(name, opts);
      std::vector<double> y(static_cast<std::size_t>(m * n), -1.0);
      engine->numeric_gemm({}, {m, n, k, x.data(), k, w.data(), n, y.data(), n});
      INFO(name << " " << arch::to_string(df));
      CHECK(mismatches(y, want) == 0);
    }
    // An INT8 GEMM on a floating-point array is refused, naming the key.
    auto array = sim::make_gemm_engine("array", opts);
    std::vector<std::int8_t> xi(static_cast<std::size_t>(m * k)), wi(static_cast<std::size_t>(k * n));
    std::vector<std::int32_t> yi(static_cast<std::size_t>(m * n));
    const std::string msg = test::error_of(
        [&] { array->gemm({}, {m, n, k, xi.data(), k, wi.data(), n, yi.data(), n, false}); });
    CHECK_THAT(msg, Catch::Contains("arch.operand_type"));
  }
}

namespace {
// An engine with only the INT8 path (as cuda): numeric_gemm is the base class's refusal.
class Int8OnlyEngine final : public models::GemmEngine {
 public:
  std::string_view name() const override { return "int8-only"; }
  void gemm(const models::GemmId&, const models::Int8GemmArgs&) override {}
};
}  // namespace

TEST_CASE("an INT8-only engine refuses numeric GEMMs, naming itself", "[unit]") {
  Int8OnlyEngine e;
  double v = 0;
  const std::string msg = test::error_of([&] { e.numeric_gemm({}, {1, 1, 1, &v, 1, &v, 1, &v, 1}); });
  CHECK_THAT(msg, Catch::Contains("engine 'int8-only' runs INT8 GEMMs only"));
}
