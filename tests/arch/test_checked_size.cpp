// Checked size arithmetic, the O(1) cycle model and SRAM traffic against the fold-by-fold walk, and
// the memory budget.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "arch/checked_size.hpp"
#include "arch/config_error.hpp"
#include "arch/fold_plan.hpp"
#include "arch/memory_budget.hpp"
#include "arch/tech/array_cost.hpp"

using namespace saffire::arch;
using saffire::ConfigError;

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

ArrayConfig array(int rows, int cols, Dataflow d, bool drain = false) {
  ArrayConfig c;
  c.rows = rows;
  c.cols = cols;
  c.dataflow = d;
  c.os_drain = drain;
  return c;
}

// The reference: every fold visited, as the array models walk them.
struct Walked {
  std::int64_t folds = 0, cycles = 0;
  SramTraffic traffic;
};
Walked walk(const ArrayConfig& cfg, const GemmShape& shape) {
  const FoldPlan plan(cfg, shape);
  Walked w;
  for (std::int64_t i = 0; i < plan.count(); ++i) {
    const Fold f = plan.fold(i);
    ++w.folds;
    w.cycles += cfg.dataflow == Dataflow::WS ? 2 * cfg.rows + cfg.cols + shape.m - 2
                                             : cfg.rows + cfg.cols + shape.k - 2 + (cfg.os_drain ? cfg.rows : 0);
    SramTraffic& t = w.traffic;
    if (cfg.dataflow == Dataflow::WS) {
      t.weight_bytes_read += f.rows_used * f.cols_used;
      t.activation_bytes_read += f.stream * f.rows_used;
      t.output_bytes_written += f.stream * f.cols_used * 4;
      if (f.row0 > 0) t.psum_bytes_read += f.stream * f.cols_used * 4;
    } else {
      t.activation_bytes_read += f.rows_used * f.stream;
      t.weight_bytes_read += f.stream * f.cols_used;
      t.output_bytes_written += f.rows_used * f.cols_used * 4;
    }
  }
  return w;
}

}  // namespace

TEST_CASE("checked_mul and checked_add throw ConfigError instead of wrapping", "[unit][arch]") {
  CHECK(checked_mul(3037000499, 3037000499, "x") == 3037000499LL * 3037000499LL);
  CHECK_THROWS_AS(checked_mul(3037000500, 3037000500, "x"), ConfigError);
  CHECK_THROWS_WITH(checked_mul(std::int64_t{1} << 32, std::int64_t{1} << 32, "M x N"),
                    Catch::Contains("M x N") && Catch::Contains("4294967296 x 4294967296"));
  CHECK(checked_mul(1 << 20, 1 << 20, 1 << 22, "x") == std::int64_t{1} << 62);
  CHECK_THROWS_AS(checked_mul(1 << 20, 1 << 20, 1 << 23, "x"), ConfigError);
  CHECK_THROWS_AS(checked_add(kMax, 1, "x"), ConfigError);
  CHECK(checked_add(kMax - 1, 1, "x") == kMax);
  CHECK(ceil_div(kMax, 2) == kMax / 2 + 1);  // (a + b - 1) / b would wrap here
  CHECK(ceil_div(kMax, 1) == kMax);
  CHECK(ceil_div(7, 7) == 1);
  CHECK(ceil_div(8, 7) == 2);
}

TEST_CASE("Closed-form cycles and SRAM traffic equal the fold-by-fold walk", "[unit][arch]") {
  for (Dataflow d : {Dataflow::WS, Dataflow::OS})
    for (bool drain : {false, true})
      for (int rows : {1, 3, 8})
        for (int cols : {1, 4, 5})
          for (std::int64_t m : {1, 7, 16})
            for (std::int64_t n : {1, 5, 20})
              for (std::int64_t k : {1, 9, 24}) {
                const ArrayConfig cfg = array(rows, cols, d, drain);
                const GemmShape shape{m, n, k};
                const Walked w = walk(cfg, shape);
                const CycleReport r = analytical_cycles(cfg, shape);
                const SramTraffic t = sram_traffic(cfg, shape);
                INFO("R " << rows << " C " << cols << " M " << m << " N " << n << " K " << k);
                CHECK(r.folds == w.folds);
                CHECK(r.cycles == w.cycles - 1);
                CHECK(r.macs == m * n * k);
                CHECK(t.weight_bytes_read == w.traffic.weight_bytes_read);
                CHECK(t.activation_bytes_read == w.traffic.activation_bytes_read);
                CHECK(t.psum_bytes_read == w.traffic.psum_bytes_read);
                CHECK(t.output_bytes_written == w.traffic.output_bytes_written);
              }
}

TEST_CASE("The cycle model is O(1): huge GEMMs whose counts fit are exact, others a ConfigError", "[unit][arch]") {
  const ArrayConfig ws = array(128, 128, Dataflow::WS);
  // 2^40 x 2^10 x 2^10 on 128x128 WS: 8 x 8 = 64 folds of 2*128 + 128 + 2^40 - 2 cycles (by hand).
  const GemmShape tall{std::int64_t{1} << 40, 1024, 1024};
  const CycleReport r = analytical_cycles(ws, tall);
  CHECK(r.folds == 64);
  CHECK(r.cycles_per_fold == 382 + (std::int64_t{1} << 40));
  CHECK(r.cycles == 64 * (382 + (std::int64_t{1} << 40)) - 1);
  CHECK(r.macs == std::int64_t{1} << 60);
  CHECK(sram_traffic(ws, tall).weight_bytes_read == 1024 * 1024);
  // D9/D10 shapes: folds x cycles or MACs past int64.
  CHECK_THROWS_WITH(analytical_cycles(ws, {3037000500, 3037000500, 3037000500}), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(analytical_cycles(ws, {kMax, kMax, kMax}), Catch::Contains("folds"));
  CHECK_THROWS_AS(sram_traffic(ws, {std::int64_t{1} << 32, std::int64_t{1} << 32, 8}), ConfigError);
  // cycles per fold past int64: M = INT64_MAX on WS.
  CHECK_THROWS_WITH(FoldPlan(ws, {kMax, 1, 1}), Catch::Contains("cycles per fold"));
}

TEST_CASE("Memory budget: sizes parsed, a request over the limit is a ConfigError naming both", "[unit][arch]") {
  CHECK(parse_byte_size("8G", "--max-memory") == std::int64_t{8} << 30);
  CHECK(parse_byte_size("512M", "--max-memory") == std::int64_t{512} << 20);
  CHECK(parse_byte_size("1.5GiB", "--max-memory") == std::int64_t{3} << 29);
  CHECK(parse_byte_size("2000000", "--max-memory") == 2000000);
  for (const char* bad : {"", "zz", "8X", "-1G", "nan", "inf", "1k", "1e30", "8 G"})
    CHECK_THROWS_WITH(parse_byte_size(bad, "--max-memory"), Catch::Contains("--max-memory"));
  const std::int64_t before = memory_limit();
  CHECK(before > 0);
  set_memory_limit(std::int64_t{64} << 20);
  CHECK_NOTHROW(check_memory(std::int64_t{64} << 20, "x"));
  CHECK_THROWS_WITH(check_memory((std::int64_t{64} << 20) + 1, "the KV cache"),
                    Catch::Contains("the KV cache would need 64.00 MiB") && Catch::Contains("limit of 64.00 MiB"));
  set_memory_limit(0);  // back to the default
  CHECK(memory_limit() == before);
  CHECK(format_bytes(100) == "100 B");
  CHECK(format_bytes(std::int64_t{3} << 29) == "1.50 GiB");
}
