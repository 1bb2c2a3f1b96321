// The [memory] table and SCALE-Sim's .cfg: values read, every bad value rejected naming file, line and key.
#include <catch2/catch.hpp>

#include "arch/config_error.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "sim/memory/scalesim_config_file.hpp"
#include "test_support.hpp"

using saffire::ConfigError;
using saffire::test::error_of;
using namespace saffire::memory;

namespace {
// Every part must occur in the error (separate checks: Catch2 v2's combined matchers trip ASan).
void expect_error(const std::string& error, std::initializer_list<const char*> parts) {
  INFO("error: " << error);
  for (const char* part : parts) CHECK(error.find(part) != std::string::npos);
}
}  // namespace

TEST_CASE("[memory] table: defaults, values, and the ideal model by default", "[unit]") {
  const MemoryConfig d = parse_memory_config("[arch]\nrows = 4\n", "d.toml");
  CHECK(d.model == "ideal");
  CHECK(d.ifmap_sram_kb == 64);
  CHECK(d.bandwidth == 10);
  const MemoryConfig c = parse_memory_config(
      "[memory]\nmodel = \"scalesim\"\nifmap_sram_kb = 8\nfilter_sram_kb = 16\nofmap_sram_kb = 4\n"
      "bandwidth = 32\nbanks = 2\noutput_word_bytes = 4\ncalc_bandwidth = true\n",
      "c.toml");
  CHECK(c.model == "scalesim");
  CHECK(c.ifmap_sram_kb == 8);
  CHECK(c.filter_sram_kb == 16);
  CHECK(c.ofmap_sram_kb == 4);
  CHECK(c.bandwidth == 32);
  CHECK(c.banks == 2);
  CHECK(c.output_word_bytes == 4);
  CHECK(c.calc_bandwidth);
  CHECK(c.where("bandwidth") == "c.toml:6: memory.bandwidth");
  // The recorded table reads back as the same config.
  const MemoryConfig back = parse_memory_config(to_toml(c), "back.toml");
  CHECK(back.model == c.model);
  CHECK(back.ofmap_sram_kb == c.ofmap_sram_kb);
  CHECK(back.output_word_bytes == 4);
}

TEST_CASE("[memory] table: bad values name file, line and key", "[unit]") {
  expect_error(error_of([] { parse_memory_config("[memory]\nifmap_sram_kb = 0\n", "z.toml"); }), {"z.toml:2", "memory.ifmap_sram_kb"});
  expect_error(error_of([] { parse_memory_config("[memory]\nbandwidth = 0\n", "b.toml"); }), {"b.toml:2", "memory.bandwidth"});
  expect_error(error_of([] { parse_memory_config("[memory]\nmodel = \"magic\"\n", "m.toml"); }), {"m.toml:2", "memory.model", "ideal, scalesim"});
  expect_error(error_of([] { parse_memory_config("[memory]\nbandwith = 4\n", "u.toml"); }), {"u.toml:2", "memory.bandwith: unknown key"});
  expect_error(error_of([] { parse_memory_config("[memory]\noutput_word_bytes = 3\n", "w.toml"); }), {"w.toml:2", "memory.output_word_bytes"});
  expect_error(error_of([] { parse_memory_config("[memory]\nmodel = \"scalesim\"\ndram_preset = \"DDR4\"\n", "p.toml"); }), {"p.toml:3", "memory.dram_preset", "takes no DRAM preset"});
}

TEST_CASE("[memory] table: the memory's own supplies (sram_voltage, dram_energy)", "[unit]") {
  const MemoryConfig d = parse_memory_config("[memory]\n", "d.toml");
  CHECK_FALSE(d.sram_voltage);
  CHECK(d.sram_supply(0.85) == 0.85);         // unset: the array's nominal
  CHECK(d.dram_energy_standard() == "HBM2E");  // no preset, no table named: HBM2E
  const MemoryConfig c = parse_memory_config("[memory]\nsram_voltage = 0.7\ndram_energy = \"DDR4-3200\"\n", "c.toml");
  CHECK(c.sram_supply(0.9) == 0.7);
  CHECK(c.dram_energy_standard() == "DDR4-3200");
  const MemoryConfig back = parse_memory_config(to_toml(c), "back.toml");
  CHECK(back.sram_voltage == c.sram_voltage);
  CHECK(back.dram_energy == "DDR4-3200");
  expect_error(error_of([] { parse_memory_config("[memory]\nsram_voltage = 0.1\n", "v.toml"); }),
               {"v.toml:2", "memory.sram_voltage"});
  expect_error(error_of([] { parse_memory_config("[memory]\nsram_voltage = 1.6\n", "v.toml"); }),
               {"v.toml:2", "memory.sram_voltage"});
  expect_error(error_of([] { parse_memory_config("[memory]\nsram_voltage = \"low\"\n", "t.toml"); }),
               {"t.toml:2", "memory.sram_voltage"});
  expect_error(error_of([] { parse_memory_config("[memory]\n\ndram_energy = \"GDDR6\"\n", "e.toml"); }),
               {"e.toml:3", "memory.dram_energy", "DDR4-3200, LPDDR5-6400, HBM2E, HBM3"});
}

namespace {
const char* kScaleCfg =
    "[general]\nrun_name = scale_example\n\n[architecture_presets]\nArrayHeight:    16\nArrayWidth:     12\n"
    "IfmapSramSzkB:   6\nFilterSramSzkB:  5\nOfmapSramSzkB:   4\nIfmapOffset:    0\nFilterOffset:   10000000\n"
    "OfmapOffset:    20000000\nBandwidth : 10,20,30\nDataflow : os\nMemoryBanks:   1\n\n[run_presets]\n"
    "InterfaceBandwidth: USER\n";
}

TEST_CASE("SCALE-Sim .cfg: array, SRAM sizes, first bandwidth, USER/CALC", "[unit]") {
  const ScalesimConfigFile f = parse_scalesim_config(kScaleCfg, "s.cfg");
  CHECK(f.rows == 16);
  CHECK(f.cols == 12);
  CHECK(f.dataflow == saffire::arch::Dataflow::OS);
  CHECK(f.memory.model == "scalesim");
  CHECK(f.memory.ifmap_sram_kb == 6);
  CHECK(f.memory.filter_sram_kb == 5);
  CHECK(f.memory.ofmap_sram_kb == 4);
  CHECK(f.memory.bandwidth == 10);  // SCALE-Sim v2 uses the list's first value for every operand
  CHECK_FALSE(f.memory.calc_bandwidth);
  CHECK(f.memory.where("ofmap_sram_kb") == "s.cfg:9: OfmapSramSzkB");
  std::string calc = kScaleCfg;
  calc.replace(calc.find("USER"), 4, "CALC");
  CHECK(parse_scalesim_config(calc, "c.cfg").memory.calc_bandwidth);
}

TEST_CASE("SCALE-Sim .cfg: bad input names the file, line and key", "[unit]") {
  auto with = [](const std::string& from, const std::string& to) {
    std::string t = kScaleCfg;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  expect_error(error_of([&] { parse_scalesim_config(with("Dataflow : os", "Dataflow : is"), "d.cfg"); }), {"d.cfg:14: Dataflow", "input-stationary"});
  expect_error(error_of([&] { parse_scalesim_config(with("OfmapSramSzkB:   4", "OfmapSramSzkB:   0"), "z.cfg"); }), {"z.cfg:9: OfmapSramSzkB"});
  expect_error(error_of([&] { parse_scalesim_config(with("Bandwidth : 10,20,30", "Bandwidth : 0"), "b.cfg"); }), {"b.cfg:13: Bandwidth"});
  expect_error(error_of([&] { parse_scalesim_config(with("ArrayWidth:     12", "ArrayWidth:     twelve"), "w.cfg"); }), {"w.cfg:6: ArrayWidth", "expected an integer"});
  expect_error(error_of([&] { parse_scalesim_config(with("MemoryBanks", "MemoryBankz"), "u.cfg"); }), {"u.cfg:15: MemoryBankz: unknown key"});
  expect_error(error_of([&] { parse_scalesim_config(with("InterfaceBandwidth: USER", "InterfaceBandwidth: FAST"), "m.cfg"); }), {"m.cfg:18: InterfaceBandwidth", "USER or CALC"});
  expect_error(error_of([&] { parse_scalesim_config(with("ArrayHeight:    16\n", ""), "h.cfg"); }), {"h.cfg", "arrayheight: required key missing"});
}
