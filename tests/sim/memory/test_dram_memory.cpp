// The dram memory model (scratchpads over the DRAM timing model) against closed forms: an infinitely fast
// DRAM gives the compute-bound cycles; a one-bank DRAM gives the stream times of its JEDEC timings; DRAM
// bytes are the operands' bursts; faster DRAM never stalls more; the same run twice is the same run.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "arch/config_error.hpp"
#include "arch/fold_plan.hpp"
#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/dram_memory_system.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "test_support.hpp"

using namespace saffire;
using namespace saffire::memory;
using i64 = std::int64_t;

namespace {

arch::ArrayConfig array(int rows, int cols, arch::Dataflow df, double clock_ghz = 1.0) {
  arch::ArrayConfig a;
  a.rows = rows;
  a.cols = cols;
  a.dataflow = df;
  a.clock_ghz = clock_ghz;
  return a;
}

DramMemoryParams params(i64 ifmap_words, i64 filter_words, i64 ofmap_words, const dram::DramSpec& spec,
                        int out_bytes = 1) {
  DramMemoryParams p;
  p.capacity = {ifmap_words, filter_words, ofmap_words};
  p.input_word_bytes = 1;
  p.output_word_bytes = out_bytes;
  p.spec = spec;
  return p;
}

// HBM3's organisation and timings in cycles, clocked at 100 THz: every transfer of a small GEMM lands
// within the array cycle it was asked for.
dram::DramSpec instant_dram() {
  dram::DramSpec s = dram::dram_preset("HBM3");
  s.clock_mhz = 100'000'000;
  s.data_rate_mts = 4 * s.clock_mhz;
  return s;
}

// DDR4-3200 with one bank, row-contiguous mapping and no refresh within any test's span.
dram::DramSpec one_bank_ddr4() {
  dram::DramSpec s = dram::dram_preset("DDR4-3200");
  s.bank_groups = 1;
  s.banks_per_group = 1;
  s.mapping = dram::AddressMapping::RoBaRaCoCh;
  s.timing.trefi = 1'000'000'000;
  return s;
}

i64 bursts(i64 bytes, i64 burst) { return (bytes + burst - 1) / burst; }

}  // namespace

TEST_CASE("dram model, instant DRAM: the compute-bound cycles, whatever the scratchpads", "[closed-form]") {
  const dram::DramSpec spec = instant_dram();
  const i64 bb = spec.burst_bytes();
  for (const auto df : {arch::Dataflow::WS, arch::Dataflow::OS})
    for (const auto& [rows, cols] : {std::pair{4, 4}, std::pair{8, 8}, std::pair{5, 3}})
      for (const arch::GemmShape& s : {arch::GemmShape{40, 24, 17}, arch::GemmShape{1, 30, 70}, arch::GemmShape{64, 7, 33}})
        for (const i64 words : {i64{64}, i64{256}, i64{1} << 16}) {
          const auto a = array(rows, cols, df);
          INFO((df == arch::Dataflow::WS ? "WS " : "OS ") << rows << "x" << cols << " M" << s.m << " N" << s.n
                                                            << " K" << s.k << " scratchpads " << words);
          const MemoryReport r = simulate_dram(a, s, params(words, words, words, spec));
          CHECK(r.compute_cycles == arch::analytical_cycles(a, s).cycles);
          CHECK(r.stall_cycles == 0);
          CHECK(r.total_cycles == r.compute_cycles);
          CHECK(r.dram_writes.ofmap == array_side_output_writes(a, s));  // every output word drained
          CHECK(r.dram_reads.ifmap >= s.m * s.k);
          CHECK(r.dram_reads.filter >= s.k * s.n);
          if (words == i64{1} << 16) {  // everything fits the first fill: each operand read once, in bursts
            CHECK(r.dram_reads.ifmap == s.m * s.k);
            CHECK(r.dram_reads.filter == s.k * s.n);
            CHECK(static_cast<i64>(r.dram.bytes_read) == (bursts(s.m * s.k, bb) + bursts(s.k * s.n, bb)) * bb);
          }
        }
}

TEST_CASE("dram model, one bank: first fills and the last drain take the bank's stream times", "[closed-form]") {
  // 8x8 WS, one fold (K = R, N = C), M = 500: X 4000 bytes (63 bursts of 64 B), W 64 bytes (1 burst), Y 4000
  // bytes; all in one bank (X row 0, W row 128, Y row 256: regions 1 MiB apart, 8 KB rows), scratchpads
  // large enough that nothing refills or drains before the end. Line 0 needs W, whose fill waits for X's:
  //   X: ACT at 0, RD i at tRCD + i tCCD_L (row hits);
  //   W: PRE at max(tRAS, last X RD + tRTP), ACT tRP later, RD tRCD after it, data tCL + burst later;
  //   Y (drained after the last line, at DRAM cycle y0): PRE at y0, ACT + tRP, WR j at ACT + tRCD + j tCCD_L,
  //   the last write's data ends tCWL + burst after it.
  // Array at 1 GHz, DDR4 at 1.6 GHz: DRAM cycle d ends in array cycle floor(d * 5 / 8); array cycle a
  // starts DRAM cycle ceil(a * 8 / 5).
  const dram::DramSpec spec = one_bank_ddr4();
  const dram::DramTiming& t = spec.timing;
  const i64 burst = spec.burst_cycles();
  const auto a = array(8, 8, arch::Dataflow::WS);
  const arch::GemmShape s{500, 8, 8};
  const MemoryReport r = simulate_dram(a, s, params(1 << 14, 1 << 14, 1 << 14, spec));

  const i64 n_x = bursts(500 * 8, 64), n_y = bursts(500 * 8, 64);
  const i64 last_x_rd = t.trcd + (n_x - 1) * t.tccd_l;
  const i64 w_act = std::max<i64>(t.tras, last_x_rd + t.trtp) + t.trp;
  const i64 w_done = w_act + t.trcd + t.tcl + burst;
  const i64 first_wait = w_done * 5 / 8;
  const i64 compute = 2 * 8 + 8 + 500 - 2 - 1;  // one fold, 0-based
  CHECK(r.compute_cycles == compute);
  const i64 last_line = compute + first_wait;
  const i64 y0 = (last_line * 8 + 4) / 5;
  const i64 y_done = y0 + t.trp + t.trcd + (n_y - 1) * t.tccd_l + t.tcwl + burst;
  CHECK(r.total_cycles == y_done * 5 / 8);
  CHECK(r.stall_cycles == r.total_cycles - compute);
  CHECK(r.dram.bytes_read == static_cast<std::uint64_t>((n_x + 1) * 64));
  CHECK(r.dram.bytes_written == static_cast<std::uint64_t>(n_y * 64));
  CHECK(r.dram.row_hits == static_cast<std::uint64_t>(n_x - 1 + n_y - 1));  // one ACT per stream
  CHECK(r.dram.row_misses == 1);                                            // X opens the closed bank
  CHECK(r.dram.row_conflicts == 2);                                         // W and Y each replace a row
}

TEST_CASE("dram model, DRAM bytes: whole bursts of each operand's words, outputs at their word size", "[closed-form]") {
  // OS 8x8, M=16 N=24 K=20 with scratchpads that hold everything: X 320 and W 480 bytes read once,
  // Y 384 INT32 outputs written once (1536 bytes, drained in halves of 512 words: whole bursts).
  const dram::DramSpec spec = dram::dram_preset("DDR4-3200");
  const MemoryReport r = simulate_dram(array(8, 8, arch::Dataflow::OS), {16, 24, 20}, params(4096, 4096, 1024, spec, 4));
  CHECK(r.dram_reads.ifmap == 320);
  CHECK(r.dram_reads.filter == 480);
  CHECK(r.dram_writes.ofmap == 384);
  CHECK(r.dram.bytes_read == static_cast<std::uint64_t>((bursts(320, 64) + bursts(480, 64)) * 64));
  CHECK(r.dram.bytes_written == 384 * 4);
  CHECK(r.dram.requests == static_cast<std::uint64_t>(bursts(320, 64) + bursts(480, 64) + 384 * 4 / 64));
  CHECK(r.has_dram);
  CHECK(r.dram.preset == "DDR4-3200");
  CHECK(r.dram.achieved_gbps == Approx(static_cast<double>(r.dram.bytes_read + r.dram.bytes_written) /
                                       static_cast<double>(r.total_cycles + 1)));  // bytes per ns at 1 GHz
}

TEST_CASE("dram model: a faster DRAM clock never stalls the array more; the same run twice is the same", "[unit]") {
  for (const char* preset : {"DDR4-3200", "HBM2E"})
    for (const auto df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
      const auto a = array(16, 16, df);
      const arch::GemmShape s{200, 100, 150};
      i64 previous = -1;
      for (const int scale : {8, 4, 2, 1}) {  // clock / scale: slowest first
        dram::DramSpec spec = dram::dram_preset(preset);
        const int per_clock = spec.transfers_per_clock();
        spec.clock_mhz /= scale;
        spec.data_rate_mts = spec.clock_mhz * per_clock;
        const MemoryReport r = simulate_dram(a, s, params(1024, 1024, 1024, spec));
        INFO(preset << (df == arch::Dataflow::WS ? " WS" : " OS") << " clock / " << scale);
        CHECK(r.total_cycles == r.compute_cycles + r.stall_cycles);
        if (previous >= 0) CHECK(r.stall_cycles <= previous);
        previous = r.stall_cycles;
      }
      const MemoryReport x = simulate_dram(a, s, params(1024, 2048, 1024, dram::dram_preset(preset)));
      const MemoryReport y = simulate_dram(a, s, params(1024, 2048, 1024, dram::dram_preset(preset)));
      CHECK(x.stall_cycles == y.stall_cycles);
      CHECK(x.dram.bytes_read == y.dram.bytes_read);
      CHECK(x.dram.row_hits == y.dram.row_hits);
      CHECK(x.dram_spans.ofmap.stop == y.dram_spans.ofmap.stop);
    }
}

TEST_CASE("dram model through the factory: presets, files, and bad input naming the key", "[unit]") {
  MemoryConfig c;
  c.model = "dram";
  c.ifmap_sram_kb = c.filter_sram_kb = c.ofmap_sram_kb = 8;
  const auto a = array(8, 8, arch::Dataflow::WS);
  CHECK(make_memory_model(c)->simulate(a, {40, 24, 17}).dram.preset == "HBM2E");  // the default preset
  c.dram_preset = "HBM3";
  CHECK(make_memory_model(c)->simulate(a, {40, 24, 17}).dram.preset == "HBM3");
  c.dram_preset = "DDR9";
  const std::string unknown = test::error_of([&] { make_memory_model(c); });
  CHECK_THAT(unknown, Catch::Contains("memory.dram_preset"));
  CHECK_THAT(unknown, Catch::Contains("DDR4-3200, LPDDR5-6400, HBM2E, HBM3"));

  // A user preset whose tRC is shorter than tRAS + tRP: the file, its line and the key.
  const auto dir = std::filesystem::temp_directory_path() / "saffire_test_dram_memory";
  std::filesystem::create_directories(dir);
  std::string text = dram::preset_texts().front().text;
  const auto at = text.find("trc = 74");
  REQUIRE(at != std::string::npos);
  text.replace(at, 8, "trc = 60");
  const auto file = dir / "bad_ddr4.toml";
  std::ofstream(file) << text;
  std::ofstream(dir / "config.toml")
      << "[memory]\nmodel = \"dram\"\ndram_preset = \"bad_ddr4.toml\"\ndram_energy = \"DDR4-3200\"\n";
  const MemoryConfig from_file = load_memory_config(dir / "config.toml");  // relative to the config file
  CHECK(from_file.dram_preset == (dir / "bad_ddr4.toml").string());
  const std::string bad = test::error_of([&] { make_memory_model(from_file); });
  CHECK_THAT(bad, Catch::Contains(file.string()));
  CHECK_THAT(bad, Catch::Contains("dram.timing.trc"));
  CHECK_THAT(bad, Catch::Contains("tras + trp"));

  c.dram_preset = "HBM3";
  c.ifmap_sram_kb = 1;
  const auto big = array(1024, 8, arch::Dataflow::WS);
  CHECK_THAT(test::error_of([&] { make_memory_model(c)->simulate(big, {40, 24, 17}); }),
             Catch::Contains("ifmap scratchpad holds 1024 words, too small"));
}
