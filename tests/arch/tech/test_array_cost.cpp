// Area, power and energy model: hand-counted tiny arrays, the pricing of a detection scheme's declared
// hardware, SRAM traffic counted by hand, and the voltage scaling of the energy ((V/Vnom)^2 dynamic,
// V/Vnom leakage). arch knows no scheme: the hardware of each one (classic's ~2/n, DMR, ThunderVolt)
// is tested where it is declared, tests/abft/test_detection_hardware.cpp.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "arch/config_error.hpp"
#include "arch/tech/array_cost.hpp"

using namespace saffire::arch;
using saffire::ConfigError;

namespace {

// 45 nm figures written out (Horowitz areas, NanGate flip-flop).
constexpr double kMult = 282, kAdd32 = 137, kReg = 4.52;
constexpr double kPe = kMult + kAdd32 + 48 * kReg;  // 8b operand + 8b operand + 32b accumulator registers

ArrayConfig array(int r, int c, Dataflow d) {
  ArrayConfig cfg;
  cfg.rows = r;
  cfg.cols = c;
  cfg.dataflow = d;
  return cfg;
}

}  // namespace

TEST_CASE("baseline of hand-counted tiny arrays", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  SECTION("1x1 WS") {
    // One PE: 282 + 137 + (8 + 8 + 32) * 4.52 = 635.96 um^2.
    const Cost c = baseline_cost(array(1, 1, Dataflow::WS), t, Workload{10, 1.0});
    CHECK(c.area_um2 == Approx(635.96));
    // P = 2R + C + S - 2 = 2 + 1 + 10 - 2 = 11 cycles; the MAC works 10 of them.
    const double dyn = 0.3 * 10.0 / 11.0 + 48 * 0.005;
    CHECK(c.dynamic_pj_per_cycle == Approx(dyn));
    CHECK(c.dynamic_mw == Approx(dyn * 1.0));             // 1 GHz: pJ/cycle = mW
    CHECK(c.leakage_mw == Approx(635.96 * 20.0 * 1e-6));  // 20 nW/um^2
  }
  SECTION("2x2 OS at 2 GHz") {
    ArrayConfig cfg = array(2, 2, Dataflow::OS);
    cfg.clock_ghz = 2.0;
    const Cost c = baseline_cost(cfg, t, Workload{100, 1.0});
    CHECK(c.area_um2 == Approx(4 * kPe));
    // P = R + C + S - 2 = 102.
    const double dyn = 4 * (0.3 * 100.0 / 102.0 + 48 * 0.005);
    CHECK(c.dynamic_pj_per_cycle == Approx(dyn));
    CHECK(c.power_mw() == Approx(2.0 * dyn + 4 * kPe * 20e-6));
  }
  SECTION("the data-activity knob scales only the PE arithmetic") {
    const Cost full = baseline_cost(array(1, 1, Dataflow::WS), t, Workload{10, 1.0});
    const Cost half = baseline_cost(array(1, 1, Dataflow::WS), t, Workload{10, 0.5});
    CHECK(full.dynamic_pj_per_cycle - half.dynamic_pj_per_cycle == Approx(0.5 * 0.3 * 10.0 / 11.0));
    CHECK(full.area_um2 == half.area_um2);
  }
}

TEST_CASE("SRAM traffic counted by hand", "[unit][tech]") {
  SECTION("WS 4x4, M=3 N=6 K=5: 2 n-tiles (4 + 2 columns) x 2 k-tiles (4 + 1 rows)") {
    const SramTraffic s = sram_traffic(array(4, 4, Dataflow::WS), GemmShape{3, 6, 5});
    CHECK(s.weight_bytes_read == 30);                      // every weight once: K * N
    CHECK(s.activation_bytes_read == 2 * 3 * 5);           // X once per n-tile
    CHECK(s.output_bytes_written == 2 * 3 * (4 + 2) * 4);  // partial sums of both k-tiles, INT32
    CHECK(s.psum_bytes_read == 3 * 6 * 4);                 // read back for the second k-tile
  }
  SECTION("OS 4x4, M=5 N=6 K=7: 2 m-tiles (4 + 1 rows) x 2 n-tiles (4 + 2 columns)") {
    const SramTraffic s = sram_traffic(array(4, 4, Dataflow::OS), GemmShape{5, 6, 7});
    CHECK(s.activation_bytes_read == 2 * 5 * 7);  // X once per n-tile
    CHECK(s.weight_bytes_read == 2 * 7 * 6);      // W once per m-tile
    CHECK(s.output_bytes_written == 5 * 6 * 4);
    CHECK(s.psum_bytes_read == 0);
  }
}

namespace {

// A small detection unit written out: 8 INT32 adders at half rate and 8 x 32 register bits, 3 extra cycles.
DetectionHardware hand_hardware(const ArrayConfig& cfg, const GemmShape& shape, bool at_array_voltage) {
  BillOfMaterials b;
  b.add("unit", "INT32 adder", Component::Add32, 8, 0.5);
  b.regs("unit", "register (32b)", 8, 32);
  return {b.items, gemm_workload(cfg, shape), 3, at_array_voltage};
}

}  // namespace

TEST_CASE("a detection unit's declared hardware is priced item by item", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  ArrayConfig cfg = array(8, 8, Dataflow::OS);
  cfg.clock_ghz = 2.0;
  const Cost c = detection_cost(hand_hardware(cfg, {20, 24, 30}, false), cfg, t);
  CHECK(c.area_um2 == Approx(8 * kAdd32 + 256 * kReg));
  CHECK(c.dynamic_pj_per_cycle == Approx(8 * 0.5 * 0.1 + 256 * 0.005));
  CHECK(c.dynamic_mw == Approx(2.0 * c.dynamic_pj_per_cycle));
  CHECK(c.leakage_mw == Approx((8 * kAdd32 + 256 * kReg) * 20e-6));
  CHECK(c.extra_cycles_per_fold == 3);
  CHECK(detection_cost({}, cfg, t).area_um2 == 0);
  // The representative fold of a GEMM: WS streams M, OS streams K.
  CHECK(gemm_workload(array(4, 4, Dataflow::WS), {5, 6, 7}).stream == 5);
  CHECK(gemm_workload(array(4, 4, Dataflow::OS), {5, 6, 7}, 0.5) == Workload{7, 0.5});
}

TEST_CASE("GEMM energy scales with voltage", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  const ArrayConfig cfg = array(8, 8, Dataflow::OS);
  GemmEnergyInput in;
  in.shape = {20, 24, 30};
  const DetectionHardware checksum_like = hand_hardware(cfg, in.shape, false);
  in.detection = checksum_like;
  const EnergyBreakdown nom = gemm_energy(cfg, t, in);
  // MAC energy: every MAC costs an INT8 multiply and an INT32 add, 0.3 pJ.
  CHECK(nom.macs == 20 * 24 * 30);
  CHECK(nom.mac == Approx(0.3 * nom.macs));
  // 3 x 3 folds of 8 + 8 + 30 - 2 = 44 cycles, plus the unit's 3; 8*8 PEs with 48 register bits each.
  CHECK(nom.folds == 9);
  CHECK(nom.cycles == 9 * (44 + 3));
  CHECK(nom.array_registers == Approx(64 * 48 * 0.005 * nom.cycles));
  CHECK(nom.sram == Approx((nom.traffic.bytes_read() + nom.traffic.bytes_written()) / 8.0 * 10.0));
  CHECK(nom.leakage == Approx(64 * kPe * 20e-6 * nom.cycles));  // mW * ns at 1 GHz = pJ
  CHECK(nom.recovery == 0);
  // The unit over every cycle: dynamic energy per cycle plus its leakage (mW * ns = pJ at 1 GHz).
  CHECK(nom.detection ==
        Approx((8 * 0.5 * 0.1 + 256 * 0.005) * nom.cycles + (8 * kAdd32 + 256 * kReg) * 20e-6 * nom.cycles));

  in.v = 0.9 * 0.8;
  const EnergyBreakdown low = gemm_energy(cfg, t, in);
  CHECK(low.mac / nom.mac == Approx(0.64));
  CHECK(low.array_registers / nom.array_registers == Approx(0.64));
  CHECK(low.sram == Approx(nom.sram));  // the SRAM is its own supply domain (v_memory = nominal)
  CHECK(low.compute() / nom.compute() < 0.8);
  CHECK(low.leakage / nom.leakage == Approx(0.8));
  CHECK(low.detection == Approx(nom.detection));  // checksum units in the nominal domain
  in.detection_at_nominal = false;
  const EnergyBreakdown low_all = gemm_energy(cfg, t, in);
  CHECK(low_all.detection / nom.detection > 0.64);
  CHECK(low_all.detection / nom.detection < 0.8);

  // Hardware that is part of the array (a DMR copy, Razor flip-flops) always runs at the array's voltage.
  in.detection_at_nominal = true;
  in.detection = hand_hardware(cfg, in.shape, true);
  const EnergyBreakdown dmr_low = gemm_energy(cfg, t, in);
  in.v = 0.9;
  const EnergyBreakdown dmr_nom = gemm_energy(cfg, t, in);
  CHECK(dmr_low.detection < 0.8 * dmr_nom.detection);

  // Recovery: recomputing every fold at the same voltage doubles the energy.
  in.detection = checksum_like;
  in.recomputed_folds = 9;
  const EnergyBreakdown again = gemm_energy(cfg, t, in);
  CHECK(again.recovery == Approx(nom.total()));
  CHECK(again.recomputed_macs == nom.macs);
  // ... and at nominal from 0.72 V: the recomputation costs what a nominal run costs.
  in.v = 0.72;
  in.recovery_v = 0.9;
  in.recomputed_folds = 3;
  const EnergyBreakdown back = gemm_energy(cfg, t, in);
  CHECK(back.recovery == Approx(nom.total() / 3.0));
  CHECK(back.recomputed_cycles == 3 * (44 + 3));

  in.recomputed_folds = -1;
  CHECK_THROWS_AS(gemm_energy(cfg, t, in), ConfigError);
  in.recomputed_folds = 0;
  in.v = -1;
  CHECK_THROWS_AS(gemm_energy(cfg, t, in), ConfigError);
  // Hardware counted for another GEMM's fold is a programming error.
  in.v = 0.9;
  in.detection = hand_hardware(cfg, {20, 24, 31}, false);
  CHECK_THROWS_AS(gemm_energy(cfg, t, in), std::invalid_argument);
}
