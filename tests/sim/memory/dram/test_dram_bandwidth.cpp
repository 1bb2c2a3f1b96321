// DRAM timing model, bandwidth closed forms: a streaming read reaches >= 90 % of each preset's peak
// (channels x bus bytes x data rate, worked out here from the spec's fields and checked against the
// published per-device figures), refresh costs about tRFC / tREFI of it, and the row-contiguous mapping
// streams one bank group at one burst per tCCD_L.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/dram/dram_system.hpp"
#include "tests/sim/memory/dram/dram_test_support.hpp"

using namespace saffire;
using namespace saffire::memory::dram;
using test::burst_cycles_of;

namespace {

// `n` consecutive bursts from address 0, all arriving at cycle 0.
std::vector<DramRequest> stream(const DramSpec& spec, std::uint64_t n, Access access = Access::Read) {
  std::vector<DramRequest> out;
  out.reserve(n);
  const auto burst = static_cast<std::uint64_t>(spec.bus_width_bits / 8 * spec.burst_length);
  for (std::uint64_t i = 0; i < n; ++i) out.push_back({i * burst, access, 0});
  return out;
}

// Peak in GB/s: every channel's pins moving data at the data rate.
double peak_gbps(const DramSpec& s) { return s.channels * (s.bus_width_bits / 8.0) * s.data_rate_mts * 1e6 / 1e9; }

}  // namespace

TEST_CASE("dram: the presets' peak bandwidths are the published per-device figures", "[unit]") {
  // DDR4-3200 DIMM channel 25.6 GB/s, LPDDR5-6400 x64 51.2 GB/s, HBM2E stack at 3.2 Gb/s 409.6 GB/s,
  // HBM3 stack at 6.4 Gb/s 819.2 GB/s.
  CHECK(peak_gbps(dram_preset("DDR4-3200")) == Approx(25.6));
  CHECK(peak_gbps(dram_preset("LPDDR5-6400")) == Approx(51.2));
  CHECK(peak_gbps(dram_preset("HBM2E")) == Approx(409.6));
  CHECK(peak_gbps(dram_preset("HBM3")) == Approx(819.2));
  for (const std::string& name : dram_preset_names()) {
    const DramSpec s = dram_preset(name);
    CHECK(s.peak_gbps() == Approx(peak_gbps(s)));
  }
  // Capacities: 8 GB DIMM rank, 4 x 16 Gb LPDDR5 channels, 8 GB HBM2E and 16 GB HBM3 stacks.
  CHECK(dram_preset("DDR4-3200").capacity_bytes() == 8ull << 30);
  CHECK(dram_preset("LPDDR5-6400").capacity_bytes() == 8ull << 30);
  CHECK(dram_preset("HBM2E").capacity_bytes() == 8ull << 30);
  CHECK(dram_preset("HBM3").capacity_bytes() == 16ull << 30);
}

TEST_CASE("dram: a streaming read reaches at least 90 % of every preset's peak bandwidth", "[unit]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    // Long enough for three refresh intervals of every channel.
    const std::uint64_t n = static_cast<std::uint64_t>(spec.channels) * 10000;
    const DramStats s = serve_requests(spec, stream(spec, n));
    CHECK(s.reads == n);
    CHECK(s.bytes_read == n * static_cast<std::uint64_t>(spec.bus_width_bits / 8 * spec.burst_length));
    CHECK(s.refreshes > 0);
    const double achieved = static_cast<double>(s.bytes_read) / (static_cast<double>(s.cycles()) / (spec.clock_mhz * 1e6)) / 1e9;
    CHECK(achieved == Approx(s.gbps(spec.clock_mhz)));
    INFO("achieved " << achieved << " GB/s of " << peak_gbps(spec));
    CHECK(achieved >= 0.9 * peak_gbps(spec));
    CHECK(achieved <= peak_gbps(spec) * (1 + 1e-9));
    CHECK(s.row_hit_rate() > 0.9);  // each row's bursts are all used once it is open
  }
}

TEST_CASE("dram: all-bank refresh costs about tRFC / tREFI of the streaming bandwidth", "[unit]") {
  const DramSpec spec = dram_preset("DDR4-3200");
  const DramTiming& t = spec.timing;
  const std::vector<DramRequest> reqs = stream(spec, 200000);  // ~64 refresh intervals at 4 cycles a burst
  const DramStats on = serve_requests(spec, reqs, true);
  const DramStats off = serve_requests(spec, reqs, false);
  CHECK(off.refreshes == 0);
  // One REF per tREFI elapsed (the last interval may end after the last command).
  CHECK(on.refreshes <= static_cast<std::uint64_t>(on.last_completion / t.trefi));
  CHECK(on.refreshes + 1 >= static_cast<std::uint64_t>(on.last_completion / t.trefi));
  const double loss = 1.0 - on.bytes_per_cycle() / off.bytes_per_cycle();
  // Each REF blocks the rank for tRFC; on top of that the open rows were precharged first (at most
  // tRAS + tRP) and are reopened after it (tRCD + tCL + burst before data flows again).
  const double lower = static_cast<double>(t.trfc) / t.trefi;
  const double upper = static_cast<double>(t.trfc + t.tras + t.trp + t.trcd + t.tcl + burst_cycles_of(spec)) / t.trefi;
  INFO("loss " << loss << ", expected in [" << lower << ", " << upper << "]");
  CHECK(loss >= 0.95 * lower);
  CHECK(loss <= upper);
}

TEST_CASE("dram: the row-contiguous mapping streams one bank group at one burst per tCCD_L", "[unit]") {
  DramSpec spec = dram_preset("DDR4-3200");
  spec.mapping = AddressMapping::RoBaRaCoCh;
  spec.queue_depth = 1;  // in order: the next row is opened only once the previous one is done
  const DramTiming& t = spec.timing;
  const int burst = burst_cycles_of(spec);
  const int per_row = spec.columns / spec.burst_length;  // 128 bursts of one row, all in one bank
  const int banks = spec.bank_groups * spec.banks_per_group;
  constexpr int kBursts = 20000;
  // Within a row, reads are tCCD_L apart (one bank group). At a row change the next request enters the
  // queue when the last read issues; its ACT goes one command slot later (after a PRE and tRP once the
  // bank was used before: rows rotate over the 16 banks), and its read tRCD after the ACT.
  Cycle last_rd = t.trcd;  // first request: ACT at 0
  int rows_opened = 1;
  for (int i = 1; i < kBursts; ++i) {
    if (i % per_row != 0) {
      last_rd += t.tccd_l;
    } else {
      last_rd += 1 + (rows_opened >= banks ? t.trp : 0) + t.trcd;
      ++rows_opened;
    }
  }
  const DramStats s = serve_requests(spec, stream(spec, kBursts), false);
  CHECK(s.last_completion == last_rd + t.tcl + burst);
  CHECK(s.row_misses == static_cast<std::uint64_t>(banks));
  CHECK(s.row_conflicts == static_cast<std::uint64_t>(rows_opened - banks));
  CHECK(s.row_hits == static_cast<std::uint64_t>(kBursts - rows_opened));
  // So about burst / tCCD_L = half the peak; the bank-interleaved default keeps consecutive bursts in
  // different bank groups and, with the full queue, stays near the peak.
  CHECK(s.bytes_per_cycle() / spec.peak_bytes_per_cycle() <= static_cast<double>(burst) / t.tccd_l);
  spec.mapping = AddressMapping::RoCoRaBaCh;
  spec.queue_depth = 32;
  CHECK(serve_requests(spec, stream(spec, kBursts), false).bytes_per_cycle() / spec.peak_bytes_per_cycle() > 0.97);
}

TEST_CASE("dram: random reads are slower than a stream and mostly row misses or conflicts", "[unit]") {
  const DramSpec spec = dram_preset("DDR4-3200");
  std::vector<DramRequest> reqs;
  std::uint64_t x = 12345;
  const std::uint64_t bursts = spec.capacity_bytes() / static_cast<std::uint64_t>(spec.burst_bytes());
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;  // fixed LCG: the same addresses everywhere
    reqs.push_back({((x >> 17) % bursts) * static_cast<std::uint64_t>(spec.burst_bytes()), Access::Read, 0});
  }
  const DramStats s = serve_requests(spec, reqs, false);
  CHECK(s.row_hit_rate() < 0.05);
  // Upper bound: every access needs an ACT, at most four per tFAW.
  CHECK(s.bytes_per_cycle() <= 4.0 * spec.burst_bytes() / spec.timing.tfaw * (1 + 1e-9));
  CHECK(s.bytes_per_cycle() < 0.5 * spec.peak_bytes_per_cycle());
}
