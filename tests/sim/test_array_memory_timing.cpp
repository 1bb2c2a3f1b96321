// The SystemC arrays waiting for their operands (TLM memory target): outputs against the naive triple loop,
// compute cycles against SCALE-Sim's closed form, simulated time against the memory model's own report
// (ideal: the closed form; scalesim and dram: total_cycles, which experiments/memory checks against SCALE-Sim).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <numeric>
#include <set>

#include "arch/fold_plan.hpp"
#include "arch/numerics/number_format.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "models/workload/gemm_operands.hpp"
#include "sim/array_model.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "sim/memory/scalesim_demand.hpp"

using namespace saffire;

namespace {

arch::ArrayConfig array(int rows, int cols, arch::Dataflow df) {
  arch::ArrayConfig a;
  a.rows = rows;
  a.cols = cols;
  a.dataflow = df;
  a.clock_ghz = 1.0;  // 1000 ps per cycle: simulated time in whole picoseconds
  return a;
}

memory::MemoryConfig memory_config(const std::string& model) {
  memory::MemoryConfig c;
  c.model = model;
  if (model != "ideal") c.ifmap_sram_kb = c.filter_sram_kb = c.ofmap_sram_kb = 1;  // small: refetches and stalls
  if (model == "scalesim") c.bandwidth = 1;
  if (model == "dram") c.dram_preset = "DDR4-3200";
  return c;
}

std::vector<std::int32_t> naive(const models::GemmOperands& ops) {
  const auto& s = ops.shape;
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  models::naive_int8_gemm({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
  return y;
}

}  // namespace

TEST_CASE("array folds wait for their operands: simulated time = the memory model's total cycles", "[sim][memory]") {
  const std::vector<arch::GemmShape> shapes = {{20, 24, 16}, {9, 5, 30}, {33, 17, 12}, {600, 12, 24}};
  const std::vector<std::pair<int, int>> arrays = {{8, 8}, {4, 8}, {8, 4}, {4, 4}};
  std::int64_t stalled_runs = 0;
  for (const std::string model_name : {"ideal", "scalesim", "dram"}) {
    const auto model = memory::make_memory_model(memory_config(model_name));
    for (const arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
      for (std::size_t i = 0; i < shapes.size(); ++i) {
        const arch::GemmShape s = shapes[i];
        const arch::ArrayConfig cfg = array(arrays[i].first, arrays[i].second, df);
        const memory::MemoryReport mem = model->simulate(cfg, s);
        const arch::CycleReport formula = arch::analytical_cycles(cfg, s);
        const auto ops = models::random_gemm_operands(s, 7 + i);
        const auto expected = naive(ops);
        INFO(model_name << " " << arch::to_string(df) << " " << cfg.rows << "x" << cfg.cols << " GEMM " << s.m << "x"
                        << s.n << "x" << s.k);
        CHECK(mem.compute_cycles == formula.cycles);
        if (model_name == "ideal") {
          CHECK(mem.total_cycles == formula.cycles);
          CHECK(mem.fold_stall_cycles.empty());
        } else {
          REQUIRE(static_cast<std::int64_t>(mem.fold_stall_cycles.size()) == formula.folds);
          CHECK(std::accumulate(mem.fold_stall_cycles.begin(), mem.fold_stall_cycles.end(), std::int64_t{0}) ==
                mem.stall_cycles);
        }
        if (model_name == "dram") CHECK(mem.stall_cycles > 0);  // the first fill is never free (no fill before cycle 0)
        if (model_name == "scalesim" && mem.stall_cycles > 0) ++stalled_runs;
        for (const sim::Fidelity f : {sim::Fidelity::PE, sim::Fidelity::Fold}) {
          INFO("fidelity " << sim::to_string(f));
          std::vector<std::int32_t> y(expected.size(), 0x7eadbeef);
          const sim::ArrayRunStats stats = sim::ArrayModel(cfg, f, 1).run(
              {s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false}, {}, mem);
          CHECK(y == expected);
          CHECK(stats.report.cycles == formula.cycles);  // compute cycles unchanged
          CHECK(stats.stall_cycles == mem.stall_cycles);
          CHECK(stats.sim_time_ps == static_cast<std::uint64_t>(mem.total_cycles + 1) * 1000u);
        }
      }
    }
  }
  CHECK(stalled_runs >= 2);  // B = 1 word per cycle stalls some: the timing above is not the compute-only one
}

TEST_CASE("without a memory report the arrays take their compute cycles", "[sim][memory]") {
  const arch::ArrayConfig cfg = array(4, 4, arch::Dataflow::OS);
  const arch::GemmShape s{10, 6, 7};
  const auto ops = models::random_gemm_operands(s, 3);
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  for (const sim::Fidelity f : {sim::Fidelity::PE, sim::Fidelity::Fold}) {
    const auto stats = sim::ArrayModel(cfg, f, 1).run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
    CHECK(stats.stall_cycles == 0);
    CHECK(stats.sim_time_ps == static_cast<std::uint64_t>(arch::analytical_cycles(cfg, s).cycles + 1) * 1000u);
  }
}

TEST_CASE("a memory report of another GEMM is refused", "[sim][memory]") {
  const arch::ArrayConfig cfg = array(4, 4, arch::Dataflow::WS);
  const auto mem = memory::make_memory_model(memory_config("scalesim"))->simulate(cfg, {10, 6, 7});
  const arch::GemmShape other{10, 16, 7};
  const auto ops = models::random_gemm_operands(other, 3);
  std::vector<std::int32_t> y(static_cast<std::size_t>(other.m * other.n));
  CHECK_THROWS_AS(sim::ArrayModel(cfg, sim::Fidelity::Fold, 1)
                      .run({other.m, other.n, other.k, ops.x.data(), other.k, ops.w.data(), other.n, y.data(), other.n,
                            false},
                           {}, mem),
                  std::invalid_argument);
}

TEST_CASE("the demand's folds map onto the fold plan's", "[sim][memory]") {
  for (const arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    const arch::ArrayConfig cfg = array(4, 8, df);
    const arch::GemmShape s{13, 20, 9};
    const memory::ScalesimDemand demand(cfg, s);
    const arch::FoldPlan plan(cfg, s);
    REQUIRE(demand.folds() == plan.count());
    const std::int64_t row_folds = arch::ceil_div(df == arch::Dataflow::WS ? s.k : s.m, cfg.rows);
    std::set<std::int64_t> seen;
    for (std::int64_t served = 0; served < demand.folds(); ++served) {
      // The demand serves column fold outer, row fold inner (scalesim_demand.hpp).
      const std::int64_t fc = served / row_folds, fr = served % row_folds;
      const arch::Fold f = plan.fold(demand.plan_fold(served));
      CHECK(f.col0 == fc * cfg.cols);
      CHECK(f.row0 == fr * cfg.rows);
      seen.insert(f.index);
    }
    CHECK(static_cast<std::int64_t>(seen.size()) == plan.count());
  }
}

TEST_CASE("floating-point folds wait for their operands too; outputs and compute cycles unchanged", "[sim][memory]") {
  const arch::GemmShape s{24, 20, 40};
  std::vector<double> x(static_cast<std::size_t>(s.m * s.k)), w(static_cast<std::size_t>(s.k * s.n));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = arch::round_to(arch::NumberFormat::Bf16, 0.37 * std::sin(0.7 * i));
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = arch::round_to(arch::NumberFormat::Bf16, 0.53 * std::cos(1.3 * i));
  std::int64_t stalled = 0;
  for (const std::string model_name : {"scalesim", "dram"})
    for (const arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
      arch::ArrayConfig cfg = array(8, 4, df);
      arch::set_numeric_types(cfg, arch::NumberFormat::Bf16, std::nullopt, std::nullopt);
      memory::MemoryConfig mc = memory_config(model_name);
      mc.input_word_bytes = 2;  // bf16 operands
      mc.output_word_bytes = 4; // fp32 outputs
      const memory::MemoryReport mem = memory::make_memory_model(mc)->simulate(cfg, s);
      const arch::CycleReport formula = arch::analytical_cycles(cfg, s);
      stalled += mem.stall_cycles > 0;
      for (const sim::Fidelity f : {sim::Fidelity::PE, sim::Fidelity::Fold}) {
        INFO(model_name << " " << arch::to_string(df) << " fidelity " << sim::to_string(f));
        std::vector<double> y(static_cast<std::size_t>(s.m * s.n)), y0(y.size());
        const models::NumericGemmArgs a{s.m, s.n, s.k, x.data(), s.k, w.data(), s.n, y.data(), s.n};
        models::NumericGemmArgs a0 = a;
        a0.y = y0.data();
        const sim::ArrayRunStats stats = sim::ArrayModel(cfg, f, 1).run(a, mem);
        const sim::ArrayRunStats clean = sim::ArrayModel(cfg, f, 1).run(a0);
        CHECK(std::memcmp(y.data(), y0.data(), y.size() * sizeof(double)) == 0);
        CHECK(stats.report.cycles == formula.cycles);
        CHECK(stats.stall_cycles == mem.stall_cycles);
        CHECK(stats.sim_time_ps == static_cast<std::uint64_t>(mem.total_cycles + 1) * 1000u);
        CHECK(clean.sim_time_ps == static_cast<std::uint64_t>(formula.cycles + 1) * 1000u);
      }
    }
  CHECK(stalled >= 2);
}

TEST_CASE("2-byte operand words halve the scratchpads' words: more refetches than 1-byte words", "[sim][memory]") {
  // 1 kB scratchpads, double-buffered: 512 1-byte words per half, 256 2-byte ones. W (K x N = 40 x 10 = 400
  // words) fits one half at 1 byte a word, not at 2: SCALE-Sim then refetches it for the next row fold.
  const arch::ArrayConfig cfg = array(8, 8, arch::Dataflow::OS);
  const arch::GemmShape s{64, 10, 40};
  memory::MemoryConfig one = memory_config("scalesim"), two = one;
  two.input_word_bytes = 2;
  const memory::MemoryReport r1 = memory::make_memory_model(one)->simulate(cfg, s);
  const memory::MemoryReport r2 = memory::make_memory_model(two)->simulate(cfg, s);
  INFO("filter DRAM reads: 1-byte words " << r1.dram_reads.filter << ", 2-byte " << r2.dram_reads.filter);
  CHECK(r2.dram_reads.filter > r1.dram_reads.filter);
  CHECK(r2.dram_reads.ifmap >= r1.dram_reads.ifmap);
}
