// Memory energy: Horowitz's SRAM curve at its published points and between them, the DRAM tables
// against Micron TN-40-07's closed forms worked by hand from the datasheet currents, memory_energy as
// accesses x per-access energy, and the supply domains of a GEMM's energy: the array's part scales with
// (V / Vnom)^2, the memory's does not.
#include <catch2/catch.hpp>
#include <cmath>

#include "arch/config_error.hpp"
#include "arch/tech/array_cost.hpp"
#include "arch/tech/dram_energy.hpp"
#include "arch/tech/memory_energy.hpp"
#include "arch/tech/sram_energy.hpp"

using namespace saffire::arch;
using saffire::ConfigError;

TEST_CASE("SRAM access energy follows Horowitz's 8 KB / 32 KB / 1 MB points", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  CHECK(sram_access_pj(t, 8) == Approx(10.0));
  CHECK(sram_access_pj(t, 32) == Approx(20.0));
  CHECK(sram_access_pj(t, 1024) == Approx(100.0));
  // Between 8 and 32 KB the energy doubles for 4x the size: sqrt; below 8 KB the same slope.
  CHECK(sram_access_pj(t, 16) == Approx(10.0 * std::sqrt(2.0)));
  CHECK(sram_access_pj(t, 2) == Approx(5.0));
  // Above 32 KB: 5x for 32x, the slope log 5 / log 32, continued beyond 1 MB.
  CHECK(sram_access_pj(t, 2048) == Approx(100.0 * std::pow(2.0, std::log(5.0) / std::log(32.0))));
  // A byte is an eighth of a 64-bit access; the curve follows the table's 8 KB figure (node, user table).
  CHECK(sram_word_pj(t, 32, 1) == Approx(2.5));
  CHECK(sram_word_pj(t, 32, 4) == Approx(10.0));
  const TechTable t14 = TechTable::for_node(14);
  CHECK(sram_access_pj(t14, 32) == Approx(2.0 * t14.sram_energy_pj_per_access));
  CHECK_THROWS_AS(sram_access_pj(t, 0), ConfigError);
  CHECK_THROWS_AS(sram_access_pj(t, NAN), ConfigError);
  CHECK_THROWS_AS(sram_word_pj(t, 8, 0), ConfigError);
}

TEST_CASE("DRAM energy tables equal Micron TN-40-07 worked by hand", "[unit][tech]") {
  // DDR4-3200, eight 8 Gb x8 devices, tCK 0.625 ns, VDD 1.2 V.
  const DramEnergy& d = dram_energy("DDR4-3200", "test");
  // ACT+PRE per device: 1.2 V * (57 mA * 74 - 52 * 52 - 37 * 22) cycles * 0.625 ns = 525 pJ; eight devices.
  CHECK(d.activate_pj == Approx(8 * 525.0));
  CHECK(d.row_bytes == 8192);
  // I/O per bit: a quarter of the bits charge 2 pF to 1.2 V; half drive a 0 into 34 + 48 ohm for 0.3125 ns.
  const double io = 0.25 * 2.0 * 1.44 + 0.5 * 1.2 * (1.2 / 82.0) * 1e3 * 0.3125;
  // RD: 1.2 V * (168 - 52) mA * 2.5 ns over a device's 64 bits; WR with IDD4W 150.
  CHECK(d.read_pj_per_bit == Approx(1.2 * 116 * 2.5 / 64 + io));
  CHECK(d.write_pj_per_bit == Approx(1.2 * 98 * 2.5 / 64 + io));
  // Background: IDD3N 52 mA at 1.2 V plus refresh (250 - 52) mA for 560 of every 12480 cycles, x8.
  CHECK(d.background_mw == Approx(8 * (1.2 * 52 + 1.2 * 198 * 560.0 / 12480.0)));

  // HBM2E: a 128-bit HBM2 channel at tCK 1 ns: ACT 1.2 * (65 * 48 - 55 * 34 - 40 * 14) = 828 pJ per 1 KB row.
  const DramEnergy& h = dram_energy("HBM2E", "test");
  CHECK(h.activate_pj == Approx(828.0));
  CHECK(h.read_pj_per_bit == Approx(1.2 * 335 * 2.0 / 512 + 0.25 * 1.0 * 1.44));
  CHECK(h.background_mw == Approx(8 * (1.2 * 55 + 1.2 * 195 * 260.0 / 3900.0)));
  // HBM3: the same core at VDD 1.1 V, I/O at 0.4 V.
  const DramEnergy& h3 = dram_energy("HBM3", "test");
  const double s = 1.1 / 1.2;
  CHECK(h3.activate_pj == Approx(828.0 * s * s));
  CHECK(h3.read_pj_per_bit == Approx(1.2 * 335 * 2.0 / 512 * s * s + 0.25 * 0.16));
  // LPDDR5: LPDDR4's VDD2 burst (275 - 30) mA * 1.1 V * 5 ns and VDDQ (150 - 0.75) over 256 bits, rescaled.
  const DramEnergy& l = dram_energy("LPDDR5-6400", "test");
  const double v2 = (1.05 / 1.1) * (1.05 / 1.1), vq = (0.5 / 1.1) * (0.5 / 1.1);
  CHECK(l.read_pj_per_bit == Approx((v2 * 1.1 * 245 * 5.0 + vq * 1.1 * 149.25 * 5.0) / 256));
  CHECK(l.row_bytes == 2048);
  // The ordering every survey reports: HBM cheapest per bit, DDR4 dearest; HBM3 below HBM2E.
  CHECK(h3.read_pj_per_bit < h.read_pj_per_bit);
  CHECK(h.read_pj_per_bit < l.read_pj_per_bit);
  CHECK(l.read_pj_per_bit < d.read_pj_per_bit);
  // Unknown standards list the valid ones.
  CHECK_THROWS_WITH(dram_energy("DDR9", "f.toml:3: memory.dram_energy"),
                    Catch::Contains("f.toml:3: memory.dram_energy") && Catch::Contains("DDR4-3200, LPDDR5-6400, HBM2E, HBM3"));
}

TEST_CASE("memory energy is accesses times the per-access energies", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  const DramEnergy& d = dram_energy("HBM2E", "test");
  MemoryTraffic tr;
  tr.ifmap = {100, 40, 40, 0, 1, 32};
  tr.filter = {50, 20, 20, 0, 1, 8};
  tr.ofmap = {0, 30, 0, 30, 4, 1024};
  tr.seconds = 2e-6;
  const MemoryEnergy e = memory_energy(t, d, tr);
  CHECK(e.sram == Approx(140 * 2.5 + 70 * 1.25 + 30 * 4 * 12.5));
  CHECK(e.dram_read == Approx((40 + 20) * 8 * d.read_pj_per_bit));
  CHECK(e.dram_write == Approx(30 * 32 * d.write_pj_per_bit));
  // One row per operand and direction with traffic: 40 B, 20 B and 120 B, each under 1 KB.
  CHECK(e.dram_activations == 3);
  CHECK(e.dram_activate == Approx(3 * 828.0));
  CHECK(e.dram_background == Approx(d.background_mw * 2e-6 * 1e9));
  CHECK(e.total() == Approx(e.sram + e.dram_read + e.dram_write + e.dram_activate + e.dram_background));
  // A model that counts its activations gives them; streaming 3000 bytes opens ceil(3000 / 1024) = 3 rows.
  tr.dram_activations = 17;
  CHECK(memory_energy(t, d, tr).dram_activate == Approx(17 * 828.0));
  tr.dram_activations.reset();
  tr.ifmap.dram_reads = 3000;
  CHECK(memory_energy(t, d, tr).dram_activations == 3 + 1 + 1);
  tr.ifmap.sram_reads = -1;
  CHECK_THROWS_AS(memory_energy(t, d, tr), ConfigError);
}

TEST_CASE("underscaling the array saves only the array's energy", "[unit][tech]") {
  ArrayConfig cfg;
  cfg.rows = 8;
  cfg.cols = 8;
  cfg.dataflow = Dataflow::WS;
  const TechTable t = TechTable::horowitz45();
  GemmEnergyInput in;
  in.shape = {40, 24, 30};
  in.v_nominal = 0.9;
  MemoryTraffic tr;
  tr.ifmap = {40 * 30 * 3, 40 * 30, 40 * 30, 0, 1, 64};
  tr.filter = {30 * 24, 30 * 24, 30 * 24, 0, 1, 64};
  tr.ofmap = {0, 40 * 24 * 4, 0, 40 * 24, 4, 64};
  tr.seconds = 1e-6;
  in.memory = tr;
  in.dram = dram_energy("DDR4-3200", "test");
  in.v = 0.9;
  const EnergyBreakdown nom = gemm_energy(cfg, t, in);
  CHECK(nom.sram == Approx(memory_energy(t, *in.dram, tr).sram));
  CHECK(nom.dram == Approx(memory_energy(t, *in.dram, tr).dram()));
  CHECK(nom.total() == Approx(nom.compute() + nom.memory_total()));
  for (double v : {0.8, 0.7, 0.6}) {
    INFO("V = " << v);
    in.v = v;
    const EnergyBreakdown e = gemm_energy(cfg, t, in);
    const double s = v / 0.9;
    CHECK(e.mac == Approx(nom.mac * s * s));
    CHECK(e.array_registers == Approx(nom.array_registers * s * s));
    CHECK(e.leakage == Approx(nom.leakage * s));
    CHECK(e.sram == Approx(nom.sram));
    CHECK(e.dram == Approx(nom.dram));
    // The saving over the whole is the array's saving diluted by the memory's share.
    const double array_saving = 1 - e.compute() / nom.compute();
    CHECK(1 - e.total() / nom.total() == Approx(array_saving * nom.compute() / nom.total()));
  }
  // The SRAM's own supply: (v_memory / Vnom)^2, the DRAM unchanged.
  in.v = 0.9;
  in.v_memory = 0.72;
  const EnergyBreakdown low_sram = gemm_energy(cfg, t, in);
  CHECK(low_sram.sram == Approx(nom.sram * 0.64));
  CHECK(low_sram.dram == Approx(nom.dram));
  CHECK(low_sram.compute() == Approx(nom.compute()));
  // Recomputed folds read their operands again at the SRAM's supply, not at the recovery voltage.
  in.v_memory = 0;
  in.recomputed_folds = nom.folds;
  in.recovery_v = 0.6;
  const EnergyBreakdown rec = gemm_energy(cfg, t, in);
  CHECK(rec.recovery_sram == Approx(nom.sram));
  CHECK(rec.memory_total() == Approx(2 * nom.sram + nom.dram));
  in.dram.reset();
  CHECK_THROWS_AS(gemm_energy(cfg, t, in), std::invalid_argument);
}
