// Area, power and energy model: hand-counted tiny arrays, the closed-form ~2/n overhead of classic
// ABFT, DMR and ThunderVolt against their definitions, SRAM traffic counted by hand, and the voltage
// scaling of the energy ((V/Vnom)^2 dynamic, V/Vnom leakage).
#include <catch2/catch.hpp>
#include <cmath>

#include "arch/config_error.hpp"
#include "arch/tech/array_cost.hpp"

using namespace saffire::arch;
using saffire::ConfigError;

namespace {

// 45 nm figures written out (Horowitz areas, NanGate flip-flop, comparator = 3/4 adder).
constexpr double kMult = 282, kAdd32 = 137, kAdd16 = 67, kReg = 4.52, kCmp = 0.75 * 137, kXor = 1.60, kMux = 1.86;
constexpr double kPe = kMult + kAdd32 + 48 * kReg;  // 8b operand + 8b operand + 32b accumulator registers

ArrayConfig array(int r, int c, Dataflow d) {
  ArrayConfig cfg;
  cfg.rows = r;
  cfg.cols = c;
  cfg.dataflow = d;
  return cfg;
}

}  // namespace

TEST_CASE("scheme names", "[unit][tech]") {
  for (Scheme s : kSchemes) CHECK(parse_scheme(to_string(s)) == s);
  CHECK(parse_scheme("Classic-Correct") == Scheme::ClassicCorrect);
  CHECK_THROWS_WITH(parse_scheme("tmr", "--scheme"), Catch::Contains("--scheme") && Catch::Contains("statistical"));
}

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

TEST_CASE("classic ABFT on a hand-counted 2x2 OS array", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  const Cost c = scheme_cost(Scheme::Classic, array(2, 2, Dataflow::OS), t, Workload{100, 1.0});
  // weight-sum row: 2 x (INT16 adder + 16b register); checksum column: 2 x (8x16 multiplier = 2 INT8,
  // INT32 adder, 16 + 8 + 32 register bits); output-sum accumulators: 2 x (INT32 adder + 32b);
  // 2 comparators.
  const double hand =
      2 * (kAdd16 + 16 * kReg) + 2 * (2 * kMult + kAdd32 + 56 * kReg) + 2 * (kAdd32 + 32 * kReg) + 2 * kCmp;
  CHECK(c.area_um2 == Approx(hand));
  CHECK(c.extra_cycles_per_fold == 0);
  CHECK(scheme_cost(Scheme::None, array(2, 2, Dataflow::OS), t).area_um2 == 0);
}

TEST_CASE("classic ABFT overhead on n x n tends to a constant / n (~2/n)", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  // Closed forms of the extra units per row/column, in PEs:
  //   OS: (weight-sum stage + checksum unit + output-sum accumulator + comparator) / PE, exactly k/n;
  //   WS: (checksum PE + adder-row stage) / PE + one comparator / (n * PE).
  const double k_os = ((kAdd16 + 16 * kReg) + (2 * kMult + kAdd32 + 56 * kReg) + (kAdd32 + 32 * kReg) + kCmp) / kPe;
  const double k_ws = ((2 * kMult + kAdd32 + 56 * kReg) + (kAdd32 + 32 * kReg)) / kPe;
  for (int n : {8, 32, 64, 128, 256, 512}) {
    INFO("n = " << n);
    const double os = scheme_cost(Scheme::Classic, array(n, n, Dataflow::OS), t).area_um2 /
                      baseline_cost(array(n, n, Dataflow::OS), t).area_um2;
    const double ws = scheme_cost(Scheme::Classic, array(n, n, Dataflow::WS), t).area_um2 /
                      baseline_cost(array(n, n, Dataflow::WS), t).area_um2;
    CHECK(os == Approx(k_os / n));
    CHECK(ws == Approx(k_ws / n + kCmp / (n * n * kPe)));
    // Huang-Abraham: ~2/n (one checksum row and one checksum column of PE-sized units).
    CHECK(os * n > 1.5);
    CHECK(os * n < 2.5);
    CHECK(ws * n > 1.5);
    CHECK(ws * n < 2.5);
  }
  // The ratio is node independent (every logic component scales alike).
  const double r45 = scheme_cost(Scheme::Classic, array(64, 64, Dataflow::OS), t).area_um2 /
                     baseline_cost(array(64, 64, Dataflow::OS), t).area_um2;
  const TechTable t14 = TechTable::for_node(14);
  const double r14 = scheme_cost(Scheme::Classic, array(64, 64, Dataflow::OS), t14).area_um2 /
                     baseline_cost(array(64, 64, Dataflow::OS), t14).area_um2;
  CHECK(r14 == Approx(r45));
}

TEST_CASE("scheme ordering and definitions", "[unit][tech]") {
  const TechTable t = TechTable::for_node(14);
  for (Dataflow d : {Dataflow::WS, Dataflow::OS}) {
    const ArrayConfig cfg = array(64, 32, d);
    const double classic = scheme_cost(Scheme::Classic, cfg, t).area_um2;
    const double correct = scheme_cost(Scheme::ClassicCorrect, cfg, t).area_um2;
    const double approx = scheme_cost(Scheme::ApproxAbft, cfg, t).area_um2;
    const double stat = scheme_cost(Scheme::Statistical, cfg, t).area_um2;
    const double base = baseline_cost(cfg, t).area_um2;
    CHECK(classic < approx);
    CHECK(approx < stat);
    CHECK(classic < correct);
    // Two-sided statistical = classic-correct's checksums + the statistics unit.
    const double stat2 = scheme_cost(Scheme::Statistical, cfg, t, {}, SchemeOptions{true}).area_um2;
    CHECK(stat2 > correct);
    CHECK(scheme_cost(Scheme::Classic, cfg, t, {}, SchemeOptions{true}).area_um2 < correct);
    // DMR: a second array plus one comparator per output lane (WS: C columns, OS: R rows).
    const double lanes = d == Dataflow::WS ? cfg.cols : cfg.rows;
    CHECK(scheme_cost(Scheme::Dmr, cfg, t).area_um2 == Approx(base + lanes * t.cost(Component::Cmp32).area_um2));
    // ThunderVolt per PE: 32 shadow flip-flops, 32 XORs + 31 OR gates, 32 mux bits.
    const double tv = 32 * t.cost(Component::RegBit).area_um2 + 63 * t.cost(Component::Xor2).area_um2 +
                      32 * t.cost(Component::Mux2).area_um2;
    CHECK(scheme_cost(Scheme::ThunderVolt, cfg, t).area_um2 == Approx(64 * 32 * tv));
  }
  // ThunderVolt at 45 nm: (32 * 4.52 + 63 * 1.60 + 32 * 1.86) / 635.96 = 47.95 % of a PE.
  CHECK(scheme_cost(Scheme::ThunderVolt, array(4, 4, Dataflow::WS), TechTable::horowitz45()).area_um2 /
            baseline_cost(array(4, 4, Dataflow::WS), TechTable::horowitz45()).area_um2 ==
        Approx((32 * kReg + 63 * kXor + 32 * kMux) / kPe));
  CHECK(scheme_extra_cycles(Scheme::ClassicCorrect, array(8, 8, Dataflow::WS)) == 5);
  CHECK(scheme_extra_cycles(Scheme::ClassicCorrect, array(8, 8, Dataflow::OS)) == 0);
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

TEST_CASE("GEMM energy scales with voltage", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  const ArrayConfig cfg = array(8, 8, Dataflow::OS);
  GemmEnergyInput in;
  in.shape = {20, 24, 30};
  in.scheme = Scheme::Statistical;
  const EnergyBreakdown nom = gemm_energy(cfg, t, in);
  // MAC energy: every MAC costs an INT8 multiply and an INT32 add, 0.3 pJ.
  CHECK(nom.macs == 20 * 24 * 30);
  CHECK(nom.mac == Approx(0.3 * nom.macs));
  // 3 x 3 folds of 8 + 8 + 30 - 2 = 44 cycles; 8*8 PEs with 48 register bits each.
  CHECK(nom.folds == 9);
  CHECK(nom.cycles == 9 * 44);
  CHECK(nom.array_registers == Approx(64 * 48 * 0.005 * nom.cycles));
  CHECK(nom.sram == Approx((nom.traffic.bytes_read() + nom.traffic.bytes_written()) / 8.0 * 10.0));
  CHECK(nom.leakage == Approx(64 * kPe * 20e-6 * nom.cycles));  // mW * ns at 1 GHz = pJ
  CHECK(nom.recovery == 0);

  in.v = 0.9 * 0.8;
  const EnergyBreakdown low = gemm_energy(cfg, t, in);
  CHECK(low.mac / nom.mac == Approx(0.64));
  CHECK(low.array_registers / nom.array_registers == Approx(0.64));
  CHECK(low.sram / nom.sram == Approx(0.64));
  CHECK(low.leakage / nom.leakage == Approx(0.8));
  CHECK(low.detection == Approx(nom.detection));  // checksum units in the nominal domain
  in.detection_at_nominal = false;
  const EnergyBreakdown low_all = gemm_energy(cfg, t, in);
  CHECK(low_all.detection / nom.detection > 0.64);
  CHECK(low_all.detection / nom.detection < 0.8);

  // DMR's copy always runs at the array's voltage.
  in.detection_at_nominal = true;
  in.scheme = Scheme::Dmr;
  const EnergyBreakdown dmr_low = gemm_energy(cfg, t, in);
  in.v = 0.9;
  const EnergyBreakdown dmr_nom = gemm_energy(cfg, t, in);
  CHECK(dmr_low.detection < 0.8 * dmr_nom.detection);

  // Recovery: recomputing every fold at the same voltage doubles the energy.
  in.scheme = Scheme::Statistical;
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
  CHECK(back.recomputed_cycles == 3 * 44);

  in.recomputed_folds = -1;
  CHECK_THROWS_AS(gemm_energy(cfg, t, in), ConfigError);
  in.recomputed_folds = 0;
  in.v = -1;
  CHECK_THROWS_AS(gemm_energy(cfg, t, in), ConfigError);
}
