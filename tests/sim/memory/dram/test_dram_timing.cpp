// DRAM timing model, command-level closed forms, each derived from the preset's own JEDEC values:
// isolated row hit / miss / conflict latencies, back-to-back row hits at tCCD, a two-bank ping-pong of
// row conflicts at one access per bank per row cycle, tFAW-limited activation, and the read/write
// turnarounds. Refresh is off here (its cost is checked in test_dram_bandwidth.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/dram/dram_system.hpp"
#include "tests/sim/memory/dram/dram_test_support.hpp"

using namespace saffire;
using namespace saffire::memory::dram;
using test::burst_cycles_of;
using test::no_refresh;
using test::request_at;

TEST_CASE("dram: an isolated access costs tRCD + tCL + burst (closed row), tCL + burst (hit), tRP + tRCD + tCL + burst (conflict)",
          "[unit]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    const DramTiming& t = spec.timing;
    const int burst = burst_cycles_of(spec);
    DramSystem dram(spec, no_refresh());
    // Far apart, so nothing but the bank's own state matters.
    const auto closed = dram.enqueue(request_at(dram, 0, 0, 5, 1000));
    const auto hit = dram.enqueue(request_at(dram, 0, 0, 5, 5000));
    const auto conflict = dram.enqueue(request_at(dram, 0, 0, 6, 9000));
    dram.drain();
    // Closed bank: ACT at arrival, RD tRCD later, data tCL after the RD, lasting one burst.
    CHECK(dram.completion(closed) - 1000 == t.trcd + t.tcl + burst);
    // Open row: RD at arrival.
    CHECK(dram.completion(hit) - 5000 == t.tcl + burst);
    // Other row open: PRE at arrival, ACT tRP later, then as a closed bank.
    CHECK(dram.completion(conflict) - 9000 == t.trp + t.trcd + t.tcl + burst);
    const DramStats s = dram.stats();
    CHECK(s.row_misses == 1);
    CHECK(s.row_hits == 1);
    CHECK(s.row_conflicts == 1);
    CHECK(s.average_latency() == Approx((3.0 * (t.tcl + burst) + 2.0 * t.trcd + t.trp) / 3.0));
  }
}

TEST_CASE("dram: row hits stream back to back at tCCD_L in one bank group, tCCD_S across groups", "[unit]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    const DramTiming& t = spec.timing;
    const int burst = burst_cycles_of(spec);
    constexpr int kHits = 12;
    constexpr Cycle kStart = 1000;
    {  // one bank: every hit waits tCCD_L (>= the burst) after the previous one
      DramSystem dram(spec, no_refresh());
      dram.enqueue(request_at(dram, 0, 0, 3, 0));  // opens the row
      std::vector<std::uint64_t> ids;
      for (int i = 0; i < kHits; ++i) ids.push_back(dram.enqueue(request_at(dram, 0, 0, 3, kStart, Access::Read, 0, i)));
      dram.drain();
      for (int i = 0; i < kHits; ++i)
        CHECK(dram.completion(ids[static_cast<std::size_t>(i)]) - kStart == t.tcl + burst + Cycle{i} * std::max(t.tccd_l, burst));
      CHECK(dram.stats().row_hits == kHits);
    }
    {  // two bank groups alternating: tCCD_S apart (a group's own next RD is 2 tCCD_S >= tCCD_L later)
      REQUIRE(2 * t.tccd_s >= t.tccd_l);
      DramSystem dram(spec, no_refresh());
      dram.enqueue(request_at(dram, 0, 0, 3, 0));
      dram.enqueue(request_at(dram, 1, 0, 3, 0));
      std::vector<std::uint64_t> ids;
      for (int i = 0; i < kHits; ++i)
        ids.push_back(dram.enqueue(request_at(dram, i % 2, 0, 3, kStart, Access::Read, 0, i / 2)));
      dram.drain();
      for (int i = 0; i < kHits; ++i)
        CHECK(dram.completion(ids[static_cast<std::size_t>(i)]) - kStart == t.tcl + burst + Cycle{i} * t.tccd_s);
    }
  }
}

TEST_CASE("dram: a two-bank ping-pong of row conflicts serves each bank once per row cycle", "[unit]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    const DramTiming& t = spec.timing;
    // Per bank: ACT, RD tRCD later, PRE once tRAS (since the ACT) and tRTP (since the RD) have passed,
    // next ACT tRP after the PRE and tRC after the previous ACT.
    const Cycle period = std::max({Cycle{t.trc}, Cycle{t.tras} + t.trp, Cycle{t.trcd} + t.trtp + t.trp});
    constexpr int kRequests = 200;
    DramSystem dram(spec, no_refresh());
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < kRequests; ++i)  // banks 0 of groups 0 and 1, a new row every time
      ids.push_back(dram.enqueue(request_at(dram, i % 2, 0, 1 + i / 2, 0)));
    dram.drain();
    for (int i = 4; i + 2 < kRequests; ++i)
      CHECK(dram.completion(ids[static_cast<std::size_t>(i + 2)]) - dram.completion(ids[static_cast<std::size_t>(i)]) == period);
    const DramStats s = dram.stats();
    CHECK(s.row_hits == 0);
    CHECK(s.row_misses == 2);  // the first access of each bank finds it closed
    CHECK(s.row_conflicts == kRequests - 2);
  }
}

TEST_CASE("dram: activations across all banks are limited to four per tFAW", "[unit]") {
  int checked = 0;
  for (const std::string& name : dram_preset_names()) {
    const DramSpec spec = dram_preset(name);
    const DramTiming& t = spec.timing;
    const int banks = spec.banks_per_rank();
    // tFAW must bind: longer than four ACT spacings, and the banks' own row cycles leave room for it.
    if (t.tfaw <= 4 * t.trrd_s || Cycle{banks} * t.tfaw / 4 < std::max(t.trc, t.tras + t.trp)) continue;
    INFO(name);
    ++checked;
    constexpr int kRequests = 1600;
    DramSystem dram(spec, no_refresh());
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < kRequests; ++i)  // round robin over the rank's banks, bank groups fastest, new rows
      ids.push_back(dram.enqueue(request_at(dram, i % spec.bank_groups, (i / spec.bank_groups) % spec.banks_per_group,
                                            1 + i / banks, 0)));
    dram.drain();
    // Every access needs an ACT; in steady state the ACTs, and so the completions, advance by tFAW per
    // four. One command per cycle: when an ACT falls due in the cycle of a RD, the RD goes first (row hits
    // first), so a window may slip by that one cycle.
    const int windows = (kRequests - 400) / 4;
    const double per_window = static_cast<double>(dram.completion(ids.back()) -
                                                  dram.completion(ids[static_cast<std::size_t>(kRequests - 1 - 4 * windows)])) /
                              windows;
    CHECK(per_window >= t.tfaw);
    CHECK(per_window <= t.tfaw + 1);
  }
  CHECK(checked >= 3);  // DDR4-3200, HBM2E, HBM3 (LPDDR5's tFAW equals four tRRD)
}

TEST_CASE("dram: write-to-read turnaround honours tWTR_L / tWTR_S, read-to-write the bus turnaround", "[unit]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    const DramTiming& t = spec.timing;
    const int burst = burst_cycles_of(spec);
    DramSystem dram(spec, no_refresh());
    dram.enqueue(request_at(dram, 0, 0, 2, 0));  // open rows in groups 0 and 1
    dram.enqueue(request_at(dram, 1, 0, 2, 0));
    // Same bank group: the RD waits tWTR_L after the end of the write data (WR + tCWL + burst).
    const auto w1 = dram.enqueue(request_at(dram, 0, 0, 2, 1000, Access::Write));
    const auto r1 = dram.enqueue(request_at(dram, 0, 0, 2, 1001));
    // Other bank group: tWTR_S.
    const auto w2 = dram.enqueue(request_at(dram, 0, 0, 2, 3000, Access::Write));
    const auto r2 = dram.enqueue(request_at(dram, 1, 0, 2, 3001));
    // Read then write: the write data starts two cycles after the read data ends (RL + BL/2 - WL + 2).
    const auto r3 = dram.enqueue(request_at(dram, 0, 0, 2, 5000));
    const auto w3 = dram.enqueue(request_at(dram, 1, 0, 2, 5001, Access::Write));
    dram.drain();
    CHECK(dram.completion(w1) - 1000 == t.tcwl + burst);
    CHECK(dram.completion(r1) - dram.completion(w1) == t.twtr_l + t.tcl + burst);
    CHECK(dram.completion(r2) - dram.completion(w2) == t.twtr_s + t.tcl + burst);
    CHECK(dram.completion(r3) - 5000 == t.tcl + burst);
    CHECK(dram.completion(w3) - dram.completion(r3) == 2 + burst);
    CHECK(dram.stats().bytes_written == 3u * static_cast<unsigned>(spec.bus_width_bits / 8 * spec.burst_length));
  }
}

TEST_CASE("dram: FR-FCFS serves a younger row hit before an older row conflict", "[unit]") {
  const DramSpec spec = dram_preset("DDR4-3200");
  const DramTiming& t = spec.timing;
  const int burst = burst_cycles_of(spec);
  DramSystem dram(spec, no_refresh());
  dram.enqueue(request_at(dram, 0, 0, 7, 0));                          // row 7 open
  const auto conflict = dram.enqueue(request_at(dram, 0, 0, 8, 1000));  // older, other row
  const auto hit = dram.enqueue(request_at(dram, 0, 0, 7, 1000));       // younger, open row
  dram.drain();
  CHECK(dram.completion(hit) - 1000 == t.tcl + burst);
  // The conflict's PRE waits for the hit's RD (tRTP), then tRP, tRCD, tCL and its burst.
  CHECK(dram.completion(conflict) - 1000 == t.trtp + t.trp + t.trcd + t.tcl + burst);
}
