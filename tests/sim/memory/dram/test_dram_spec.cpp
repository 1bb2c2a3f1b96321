// DRAM specs: the presets load and pass validation, user presets load from TOML, the address mapping
// slices addresses as documented, and bad presets fail with ConfigError naming file, line and key.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "arch/config_error.hpp"
#include "sim/memory/dram/address_mapping.hpp"
#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/dram/dram_spec.hpp"
#include "tests/test_support.hpp"

using namespace saffire;
using namespace saffire::memory::dram;
using Catch::Matchers::Contains;
using test::error_of;

namespace {

// The DDR4-3200 preset file with `from` replaced by `to` (which must occur once).
std::string ddr4_with(const std::string& from, const std::string& to) {
  std::string text = preset_texts().front().text;
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

// "bad.toml:<line of `needle`>": where the error must point.
std::string where(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  return "bad.toml:" + std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string parse_error(const std::string& text) { return error_of([&] { parse_dram_spec(text, "bad.toml"); }); }

}  // namespace

TEST_CASE("dram presets: four presets, each consistent, found case-insensitively", "[unit]") {
  const auto names = dram_preset_names();
  REQUIRE(names == std::vector<std::string>{"DDR4-3200", "LPDDR5-6400", "HBM2E", "HBM3"});
  for (const std::string& name : names) {
    const DramSpec s = dram_preset(name);
    CHECK_NOTHROW(s.validate());
    CHECK_THAT(s.origin, Contains("sim/memory/dram/presets/"));
  }
  CHECK(dram_preset("ddr4-3200").name == "DDR4-3200");
  const DramSpec d = dram_preset("DDR4-3200");
  CHECK(d.timing.trc == d.timing.tras + d.timing.trp);  // JESD79-4C: tRC = tRAS + tRP for 3200AA
  CHECK(d.bursts_per_row() == 128);                      // 8 KB row / 64-byte bursts
}

TEST_CASE("dram presets: an unknown name lists the valid ones", "[unit]") {
  CHECK(error_of([] { dram_preset("DDR9"); }) ==
        "unknown DRAM preset 'DDR9' (expected one of: DDR4-3200, LPDDR5-6400, HBM2E, HBM3)");
  CHECK_THROWS_AS(dram_preset(""), ConfigError);
}

TEST_CASE("dram presets: a user preset loads from a TOML file", "[unit]") {
  const auto dir = std::filesystem::temp_directory_path() / "saffire_test_dram_spec";
  std::filesystem::create_directories(dir);
  const auto path = dir / "ddr4_2ch.toml";
  {
    std::ofstream f(path);
    f << ddr4_with("channels = 1 ", "channels = 2 ");
  }
  const DramSpec s = load_dram_spec(path);
  CHECK(s.channels == 2);
  CHECK(s.peak_gbps() == Approx(51.2));
  CHECK(s.origin == path.string());
  CHECK_THAT(error_of([&] { load_dram_spec(dir / "missing.toml"); }), Contains("cannot open"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("dram presets: inconsistent timings exit 2 naming file, line and key", "[unit]") {
  {  // tRC < tRAS + tRP
    const std::string text = ddr4_with("trc = 74 ", "trc = 60 ");
    CHECK(parse_error(text) == where(text, "trc = 60") +
                                   ": dram.timing.trc: 60 is less than tras + trp = 74 (a bank's row cycle holds "
                                   "its active and precharge times)");
  }
  {  // tRAS < tRCD
    const std::string text = ddr4_with("tras = 52 ", "tras = 20 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "tras = 20") + ": dram.timing.tras: 20 is less than trcd = 22"));
  }
  {  // tCCD_S shorter than a burst: bursts would overlap on the bus
    const std::string text = ddr4_with("tccd_s = 4 ", "tccd_s = 3 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "tccd_s = 3") + ": dram.timing.tccd_s: 3 is less than the burst"));
  }
  {  // tREFI not above tRFC
    const std::string text = ddr4_with("trefi = 12480 ", "trefi = 500 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "trefi = 500") + ": dram.timing.trefi: 500 is not greater than trfc"));
  }
  {  // a zero timing
    const std::string text = ddr4_with("tcl = 22 ", "tcl = 0 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "tcl = 0") + ": dram.timing.tcl: must be at least 1 cycle, got 0"));
  }
  {  // per-bank refresh needs tRFCpb, and refreshes that do not overlap
    const std::string text = ddr4_with("refresh = \"all_bank\"", "refresh = \"per_bank\"");
    CHECK_THAT(parse_error(text), Contains("dram.timing.trfcpb: required key missing"));
    const std::string text2 = ddr4_with("trfc = 560 ", "trfcpb = 800\ntrfc = 560 ");
    CHECK(parse_error(text2).empty());  // all_bank: trfcpb unused
  }
}

TEST_CASE("dram presets: zero or non-power-of-two sizes and bad rates name the key", "[unit]") {
  {
    const std::string text = ddr4_with("channels = 1 ", "channels = 0 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "channels = 0") + ": dram.channels: 0 is not a power of two"));
  }
  {
    const std::string text = ddr4_with("rows = 65536 ", "rows = 60000 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "rows = 60000") + ": dram.rows: 60000 is not a power of two"));
  }
  {
    const std::string text = ddr4_with("bank_groups = 4 ", "bank_groups = 3 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "bank_groups = 3") + ": dram.bank_groups: 3 is not a power of two"));
  }
  {
    const std::string text = ddr4_with("data_rate_mts = 3200 ", "data_rate_mts = 3000 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "data_rate_mts = 3000") + ": dram.data_rate_mts: 3000 is not a whole multiple"));
  }
  {
    const std::string text = ddr4_with("bus_width_bits = 64 ", "bus_width_bits = 12 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "bus_width_bits = 12") + ": dram.bus_width_bits: 12 is not a positive multiple of 8"));
  }
  {
    const std::string text = ddr4_with("queue_depth = 32", "queue_depth = 0");
    CHECK_THAT(parse_error(text), Contains(where(text, "queue_depth = 0") + ": dram.queue_depth: must be at least 1"));
  }
  {  // 32 ranks x 16 banks: more banks per channel than the scheduler names
    const std::string text = ddr4_with("ranks = 1 ", "ranks = 32 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "ranks = 32") + ": dram.ranks: ranks x bank_groups x "
                                           "banks_per_group = 512 banks per channel, more than the scheduler's 256"));
  }
}

TEST_CASE("dram presets: unknown, missing and mistyped keys name the key", "[unit]") {
  {
    const std::string text = ddr4_with("tcl = 22 ", "tcl = 22\ntxyz = 3 ");
    CHECK_THAT(parse_error(text), Contains(where(text, "txyz") + ": dram.timing.txyz: unknown key"));
  }
  {
    const std::string text = ddr4_with("tfaw = 34 ", "# no tfaw ");
    CHECK_THAT(parse_error(text), Contains("bad.toml:"));
    CHECK_THAT(parse_error(text), Contains("dram.timing.tfaw: required key missing"));
  }
  {
    const std::string text = ddr4_with("tcl = 22 ", "tcl = \"22\" ");
    CHECK_THAT(parse_error(text), Contains(where(text, "tcl = \"22\"") + ": dram.timing.tcl: expected an integer"));
  }
  {
    const std::string text = ddr4_with("address_mapping = \"RoCoRaBaCh\"", "address_mapping = \"ChRaBaRoCo\"");
    CHECK_THAT(parse_error(text), Contains(where(text, "address_mapping") + ": dram.address_mapping"));
    CHECK_THAT(parse_error(text), Contains("\"RoCoRaBaCh\" or \"RoBaRaCoCh\""));
  }
  CHECK_THAT(parse_error("[memory]\nx = 1\n"), Contains("bad.toml: no [dram] table"));
  CHECK_THAT(parse_error("[dram\n"), Contains("bad.toml:1"));
}

TEST_CASE("dram address mapping: bit fields low to high as documented, and encode inverts decode", "[unit]") {
  DramSpec s = dram_preset("DDR4-3200");
  s.channels = 2;
  s.ranks = 2;
  const AddressDecoder bank_interleaved(s);
  // RoCoRaBaCh, 64-byte bursts: bit 6 channel, bits 7-8 bank group, 9-10 bank, 11 rank, 12-18 column, then row.
  auto at = [](const AddressDecoder& d, std::uint64_t a) { return d.decode(a); };
  CHECK(at(bank_interleaved, 1ull << 6).channel == 1);
  CHECK(at(bank_interleaved, 1ull << 7).bank_group == 1);
  CHECK(at(bank_interleaved, 1ull << 9).bank == 1);
  CHECK(at(bank_interleaved, 1ull << 11).rank == 1);
  CHECK(at(bank_interleaved, 1ull << 12).column == 1);
  CHECK(at(bank_interleaved, 1ull << 19).row == 1);
  CHECK(at(bank_interleaved, 63).channel == 0);  // inside the first burst
  s.mapping = AddressMapping::RoBaRaCoCh;
  const AddressDecoder row_contiguous(s);
  // RoBaRaCoCh: bit 6 channel, bits 7-13 column, 14 rank, 15-16 bank group, 17-18 bank, then row.
  CHECK(at(row_contiguous, 1ull << 7).column == 1);
  CHECK(at(row_contiguous, 1ull << 14).rank == 1);
  CHECK(at(row_contiguous, 1ull << 15).bank_group == 1);
  CHECK(at(row_contiguous, 1ull << 17).bank == 1);
  CHECK(at(row_contiguous, 1ull << 19).row == 1);
  for (std::uint64_t a = 0; a < (1ull << 34); a += 0x12345678ull * 64 + 64) {
    for (const AddressDecoder* d : {&bank_interleaved, &row_contiguous}) {
      const DramAddress x = d->decode(a);
      CHECK(d->encode(x) == (a & ~std::uint64_t{63}));
    }
  }
}
