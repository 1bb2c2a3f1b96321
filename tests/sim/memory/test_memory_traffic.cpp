// A memory model's report as the traffic arch prices: the words and sizes of each operand, the GEMM's
// time (total cycles + 1 at the clock), and the dram model's own row activations.
#include <catch2/catch.hpp>

#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "sim/memory/memory_traffic.hpp"

using namespace saffire;

TEST_CASE("memory traffic: the report's words, the config's sizes, the GEMM's time", "[unit]") {
  arch::ArrayConfig array;
  array.rows = 8;
  array.cols = 8;
  array.clock_ghz = 2;
  memory::MemoryConfig cfg;
  cfg.ifmap_sram_kb = 16;
  cfg.filter_sram_kb = 32;
  cfg.ofmap_sram_kb = 8;
  cfg.output_word_bytes = 4;
  const arch::GemmShape shape{20, 12, 30};
  const memory::MemoryReport r = memory::make_memory_model(cfg)->simulate(array, shape);
  const arch::MemoryTraffic t = memory::memory_traffic(cfg, r, array);
  CHECK(t.ifmap.dram_reads == 20 * 30);  // ideal: every operand crosses DRAM once
  CHECK(t.filter.dram_reads == 30 * 12);
  CHECK(t.ofmap.dram_writes == 20 * 12);
  CHECK(t.ifmap.sram_reads == r.sram_reads.ifmap);
  CHECK(t.ofmap.sram_writes == r.sram_writes.ofmap);
  CHECK(t.ifmap.sram_kb == 16);
  CHECK(t.filter.sram_kb == 32);
  CHECK(t.ofmap.word_bytes == 4);
  CHECK(t.ifmap.word_bytes == 1);
  CHECK(t.seconds == Approx(static_cast<double>(r.total_cycles + 1) / 2e9));
  CHECK_FALSE(t.dram_activations.has_value());  // estimated from the rows the bytes stream through
  memory::MemoryReport d = r;
  d.has_dram = true;
  d.dram.row_hits = 100;
  d.dram.row_misses = 7;
  d.dram.row_conflicts = 5;
  CHECK(memory::memory_traffic(cfg, d, array).dram_activations == 12);
}
