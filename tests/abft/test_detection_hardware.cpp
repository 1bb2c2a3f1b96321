// The hardware each detection scheme declares (DetectionPolicy::hardware_items, extra cycles, flags),
// priced by arch/tech/array_cost through abft::scheme_cost, the function `saffire overhead` prints:
// every row of the factory table against a closed-form hand count of its units, classic's ~2/n,
// DMR and ThunderVolt against their definitions, the OS 256x256 14 nm figures of arch/tech/README.md
// against ReaLM's published +1.42 % area / +1.79 % power, and the voltage domains of the energy.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "abft/detect/detection_policy.hpp"
#include "abft/detect/overhead_table.hpp"
#include "arch/config_error.hpp"
#include "arch/tech/array_cost.hpp"

using namespace saffire::arch;
using saffire::ConfigError;
using saffire::abft::HardwareOptions;
using saffire::abft::Scheme;
using saffire::abft::scheme_cost;

namespace {

// 45 nm figures written out (Horowitz areas, NanGate flip-flop, comparator = 3/4 adder).
constexpr double kMult = 282, kAdd32 = 137, kAdd16 = 67, kReg = 4.52, kCmp = 0.75 * 137, kXor = 1.60, kMux = 1.86;
constexpr double kPe = kMult + kAdd32 + 48 * kReg;  // 8b operand + 8b operand + 32b accumulator registers
// 45 nm energies (pJ per op; register bit per clock).
constexpr double eMult = 0.2, eAdd32 = 0.1, eAdd16 = 0.05, eReg = 0.005, eCmp = 0.075, eXor = 0.001, eMux = 0.001;

ArrayConfig array(int r, int c, Dataflow d) {
  ArrayConfig cfg;
  cfg.rows = r;
  cfg.cols = c;
  cfg.dataflow = d;
  return cfg;
}

Scheme S(const char* name) { return Scheme::parse(name); }

int ceil_log2(int n) {
  int b = 0;
  while ((1 << b) < n) ++b;
  return b;
}

// Closed-form areas (um^2, 45 nm) of the units arch/tech/README.md describes, on an R x C array.
double row_checksums(double R, double C, Dataflow d) {
  if (d == Dataflow::WS)  // checksum PE column + output adder row + one comparator
    return R * (2 * kMult + kAdd32 + 56 * kReg) + C * (kAdd32 + 32 * kReg) + kCmp;
  // weight-sum row + checksum accumulator column + output-sum accumulators + a comparator per row
  return C * (kAdd16 + 16 * kReg) + R * (2 * kMult + kAdd32 + 56 * kReg) + R * (kAdd32 + 32 * kReg) + R * kCmp;
}
double column_checksums(double R, double C, Dataflow d) {
  if (d == Dataflow::WS)  // activation-sum column + column-sum accumulators + chunk recombiners + C comparators
    return R * (kAdd32 + 32 * kReg) + 2 * C * (kAdd32 + 32 * kReg) + C * kCmp;
  // activation-sum column + checksum accumulator row + drain column-sum chain + one comparator
  return R * (kAdd16 + 16 * kReg) + C * (2 * kMult + kAdd32 + 56 * kReg) + R * (kAdd32 + 32 * kReg) + kCmp;
}
double checksums(double R, double C, Dataflow d, bool columns) {
  return row_checksums(R, C, d) + (columns ? column_checksums(R, C, d) : 0.0);
}
constexpr double kMsd = 2 * 1.25 * kAdd32 + 40 * kReg;  // 40-bit MSD adder and register, absolute value

struct Expected {
  std::function<double(int, int, Dataflow, bool)> area;  // (R, C, dataflow, two_sided)
  bool needs_columns, needs_duplicate, needs_razor_flags, detects, at_array_voltage;
  bool two_sided_columns;  // --two-sided adds the column checksums
};

// One entry per scheme: a new row of detection_factory.cpp fails the test below until it has one.
const std::map<std::string, Expected>& expected() {
  static const std::map<std::string, Expected> table = {
      {"none", {[](int, int, Dataflow, bool) { return 0.0; }, false, false, false, false, false, false}},
      {"classic",
       {[](int R, int C, Dataflow d, bool two) { return checksums(R, C, d, two); }, false, false, false, true, false,
        true}},
      {"classic-correct",
       {[](int R, int C, Dataflow d, bool) {
          return checksums(R, C, d, true) + (ceil_log2(R) + ceil_log2(C) + 32) * kReg + kAdd32;  // locate + subtract
        },
        true, false, false, true, false, false}},
      {"approxabft",
       {[](int R, int C, Dataflow d, bool two) { return checksums(R, C, d, two) + kMsd + kCmp; }, false, false, false,
        true, false, true}},
      {"statistical",
       {[](int R, int C, Dataflow d, bool two) {
          // MSD, log2 MSD detector, 16x16 multiplier, INT16 adder, 2^x decoder, 4 x 16b constants,
          // frequency register, log2 freq detector, theta_freq comparator ...
          double a = checksums(R, C, d, two) + kMsd + kCmp + 4 * kMult + kAdd16 + kCmp + 64 * kReg + 16 * kReg + 2 * kCmp;
          if (d == Dataflow::OS)  // ... R magnitude comparators and an R/16-adder popcount (+ the column one)
            a += R * kCmp + R / 16.0 * kAdd16 + (two ? kCmp + kAdd16 : 0.0);
          else  // ... one leading-one binning detector, its incrementer, 32 x 16b bins and their adder
            a += kCmp + kAdd16 + 32 * 16 * kReg + kAdd16;
          return a;
        },
        false, false, false, true, false, true}},
      {"dmr",
       {[](int R, int C, Dataflow d, bool) { return R * C * kPe + (d == Dataflow::WS ? C : R) * kCmp; }, false, true,
        false, true, true, false}},
      {"thundervolt",
       {[](int R, int C, Dataflow, bool) { return R * C * (32 * kReg + 63 * kXor + 32 * kMux); }, false, false, true,
        true, true, false}},
  };
  return table;
}

}  // namespace

TEST_CASE("scheme names come from the factory table", "[unit][abft]") {
  std::vector<std::string> names;
  for (Scheme s : saffire::abft::all_schemes()) names.emplace_back(s.name());
  CHECK(names == std::vector<std::string>{"none", "classic", "classic-correct", "approxabft", "statistical", "dmr",
                                          "thundervolt"});
  for (Scheme s : saffire::abft::all_schemes()) {
    CHECK(Scheme::parse(to_string(s)) == s);
    CHECK(saffire::abft::make_detection_policy(s)->name() == s.name());
  }
  CHECK(Scheme{} == S("none"));
  CHECK(Scheme::parse("Classic-Correct") == S("classic-correct"));
  CHECK_THROWS_WITH(Scheme::parse("tmr", "--scheme"), Catch::Contains("--scheme") && Catch::Contains("statistical"));
}

TEST_CASE("every factory row's hardware against its closed form", "[unit][abft][tech]") {
  const TechTable t = TechTable::horowitz45();
  for (Scheme s : saffire::abft::all_schemes()) {
    const auto e = expected().find(std::string(s.name()));
    INFO("scheme " << s.name());
    REQUIRE(e != expected().end());  // a new scheme needs its closed form here
    const auto policy = saffire::abft::make_detection_policy(s);
    CHECK(policy->needs_columns() == e->second.needs_columns);
    CHECK(policy->needs_duplicate() == e->second.needs_duplicate);
    CHECK(policy->needs_razor_flags() == e->second.needs_razor_flags);
    CHECK(policy->detects() == e->second.detects);
    CHECK(policy->hardware_at_array_voltage() == e->second.at_array_voltage);
    for (Dataflow d : {Dataflow::WS, Dataflow::OS})
      for (const auto& [R, C] : {std::pair{2, 2}, std::pair{3, 5}, std::pair{16, 8}, std::pair{64, 64}})
        for (bool two : {false, true}) {
          INFO(to_string(d) << " " << R << "x" << C << (two ? " two-sided" : ""));
          const ArrayConfig cfg = array(R, C, d);
          const Cost c = scheme_cost(s, cfg, t, Workload{100, 1.0}, HardwareOptions{two});
          CHECK(c.area_um2 == Approx(e->second.area(R, C, d, two)).margin(1e-9));
          // The column checksums stream e^T X through a WS array as 5 rows of 7-bit chunks.
          const bool columns = e->second.needs_columns || (two && e->second.two_sided_columns);
          CHECK(c.extra_cycles_per_fold == (columns && d == Dataflow::WS ? 5 : 0));
          CHECK(c.leakage_mw == Approx(c.area_um2 * 20e-6).margin(1e-15));
          const DetectionHardware hw = policy->hardware(cfg, Workload{100, 1.0}, HardwareOptions{two});
          CHECK(hw.extra_cycles_per_fold == c.extra_cycles_per_fold);
          CHECK(hw.at_array_voltage == e->second.at_array_voltage);
        }
  }
}

TEST_CASE("dynamic power of classic, DMR and ThunderVolt counted by hand", "[unit][abft][tech]") {
  const TechTable t = TechTable::horowitz45();
  const double R = 16, C = 8, S_ = 100;
  SECTION("OS: P = R + C + S - 2") {
    const ArrayConfig cfg = array(16, 8, Dataflow::OS);
    const double P = R + C + S_ - 2, u = S_ / P;
    const double classic = C * (eAdd16 * u + 16 * eReg) + R * (2 * eMult * u + eAdd32 * u + 56 * eReg) +
                           R * (eAdd32 * C / P + 32 * eReg) + R * eCmp / P;
    CHECK(scheme_cost(S("classic"), cfg, t, Workload{100, 1.0}).dynamic_pj_per_cycle == Approx(classic));
    const double pe = R * C * ((eMult + eAdd32) * u + 48 * eReg);
    CHECK(scheme_cost(S("dmr"), cfg, t, Workload{100, 1.0}).dynamic_pj_per_cycle == Approx(pe + R * eCmp * C / P));
    CHECK(scheme_cost(S("thundervolt"), cfg, t, Workload{100, 1.0}).dynamic_pj_per_cycle ==
          Approx(R * C * (32 * eReg + 63 * eXor * u + 32 * eMux * u)));
  }
  SECTION("WS: P = 2R + C + S - 2") {
    const ArrayConfig cfg = array(16, 8, Dataflow::WS);
    const double P = 2 * R + C + S_ - 2, u = S_ / P;
    const double classic =
        R * (2 * eMult * u + eAdd32 * u + 56 * eReg) + C * (eAdd32 * u + 32 * eReg) + eCmp * u;
    CHECK(scheme_cost(S("classic"), cfg, t, Workload{100, 1.0}).dynamic_pj_per_cycle == Approx(classic));
    const double pe = R * C * ((eMult + eAdd32) * u + 48 * eReg);
    CHECK(scheme_cost(S("dmr"), cfg, t, Workload{100, 1.0}).dynamic_pj_per_cycle == Approx(pe + C * eCmp * u));
  }
}

TEST_CASE("classic ABFT on a hand-counted 2x2 OS array", "[unit][abft][tech]") {
  const TechTable t = TechTable::horowitz45();
  const Cost c = scheme_cost(S("classic"), array(2, 2, Dataflow::OS), t, Workload{100, 1.0});
  // weight-sum row: 2 x (INT16 adder + 16b register); checksum column: 2 x (8x16 multiplier = 2 INT8,
  // INT32 adder, 16 + 8 + 32 register bits); output-sum accumulators: 2 x (INT32 adder + 32b);
  // 2 comparators.
  const double hand =
      2 * (kAdd16 + 16 * kReg) + 2 * (2 * kMult + kAdd32 + 56 * kReg) + 2 * (kAdd32 + 32 * kReg) + 2 * kCmp;
  CHECK(c.area_um2 == Approx(hand));
  CHECK(c.extra_cycles_per_fold == 0);
  CHECK(scheme_cost(S("none"), array(2, 2, Dataflow::OS), t).area_um2 == 0);
}

TEST_CASE("classic ABFT overhead on n x n tends to a constant / n (~2/n)", "[unit][abft][tech]") {
  const TechTable t = TechTable::horowitz45();
  // Closed forms of the extra units per row/column, in PEs:
  //   OS: (weight-sum stage + checksum unit + output-sum accumulator + comparator) / PE, exactly k/n;
  //   WS: (checksum PE + adder-row stage) / PE + one comparator / (n * PE).
  const double k_os = ((kAdd16 + 16 * kReg) + (2 * kMult + kAdd32 + 56 * kReg) + (kAdd32 + 32 * kReg) + kCmp) / kPe;
  const double k_ws = ((2 * kMult + kAdd32 + 56 * kReg) + (kAdd32 + 32 * kReg)) / kPe;
  for (int n : {8, 32, 64, 128, 256, 512}) {
    INFO("n = " << n);
    const double os = scheme_cost(S("classic"), array(n, n, Dataflow::OS), t).area_um2 /
                      baseline_cost(array(n, n, Dataflow::OS), t).area_um2;
    const double ws = scheme_cost(S("classic"), array(n, n, Dataflow::WS), t).area_um2 /
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
  const double r45 = scheme_cost(S("classic"), array(64, 64, Dataflow::OS), t).area_um2 /
                     baseline_cost(array(64, 64, Dataflow::OS), t).area_um2;
  const TechTable t14 = TechTable::for_node(14);
  const double r14 = scheme_cost(S("classic"), array(64, 64, Dataflow::OS), t14).area_um2 /
                     baseline_cost(array(64, 64, Dataflow::OS), t14).area_um2;
  CHECK(r14 == Approx(r45));
}

TEST_CASE("overhead tables: the classic closed form in % of the baseline, per square size", "[unit][abft][tech]") {
  const TechTable t = TechTable::horowitz45();
  const double k_os = ((kAdd16 + 16 * kReg) + (2 * kMult + kAdd32 + 56 * kReg) + (kAdd32 + 32 * kReg) + kCmp) / kPe;
  const auto sweep = saffire::abft::overhead_vs_size(array(8, 16, Dataflow::OS), {32, 128}, t, Workload{}, saffire::abft::HardwareOptions{});
  REQUIRE(sweep.size() == 2);
  for (const auto& [n, table] : sweep) {
    INFO("n = " << n);
    REQUIRE(table.schemes.size() == saffire::abft::all_schemes().size());
    CHECK(table.schemes.front().scheme == saffire::abft::Scheme{});  // "none" first, free
    CHECK(table.schemes.front().cost.area_um2 == 0);
    CHECK(table.schemes.front().area_pct == 0);
    for (const saffire::abft::SchemeOverhead& r : table.schemes)
      if (r.scheme == S("classic")) CHECK(r.area_pct == Approx(100.0 * k_os / n));
  }
}

TEST_CASE("scheme ordering and definitions", "[unit][abft][tech]") {
  const TechTable t = TechTable::for_node(14);
  for (Dataflow d : {Dataflow::WS, Dataflow::OS}) {
    const ArrayConfig cfg = array(64, 32, d);
    const double classic = scheme_cost(S("classic"), cfg, t).area_um2;
    const double correct = scheme_cost(S("classic-correct"), cfg, t).area_um2;
    const double approx = scheme_cost(S("approxabft"), cfg, t).area_um2;
    const double stat = scheme_cost(S("statistical"), cfg, t).area_um2;
    const double base = baseline_cost(cfg, t).area_um2;
    CHECK(classic < approx);
    CHECK(approx < stat);
    CHECK(classic < correct);
    // Two-sided statistical = classic-correct's checksums + the statistics unit.
    const double stat2 = scheme_cost(S("statistical"), cfg, t, {}, HardwareOptions{true}).area_um2;
    CHECK(stat2 > correct);
    CHECK(scheme_cost(S("classic"), cfg, t, {}, HardwareOptions{true}).area_um2 < correct);
    // DMR: a second array plus one comparator per output lane (WS: C columns, OS: R rows).
    const double lanes = d == Dataflow::WS ? cfg.cols : cfg.rows;
    CHECK(scheme_cost(S("dmr"), cfg, t).area_um2 == Approx(base + lanes * t.cost(Component::Cmp32).area_um2));
    // ThunderVolt per PE: 32 shadow flip-flops, 32 XORs + 31 OR gates, 32 mux bits.
    const double tv = 32 * t.cost(Component::RegBit).area_um2 + 63 * t.cost(Component::Xor2).area_um2 +
                      32 * t.cost(Component::Mux2).area_um2;
    CHECK(scheme_cost(S("thundervolt"), cfg, t).area_um2 == Approx(64 * 32 * tv));
  }
  // ThunderVolt at 45 nm: (32 * 4.52 + 63 * 1.60 + 32 * 1.86) / 635.96 = 47.95 % of a PE.
  CHECK(scheme_cost(S("thundervolt"), array(4, 4, Dataflow::WS), TechTable::horowitz45()).area_um2 /
            baseline_cost(array(4, 4, Dataflow::WS), TechTable::horowitz45()).area_um2 ==
        Approx((32 * kReg + 63 * kXor + 32 * kMux) / kPe));
  const auto correct = saffire::abft::make_detection_policy(S("classic-correct"));
  CHECK(correct->extra_cycles_per_fold(array(8, 8, Dataflow::WS), {}) == 5);
  CHECK(correct->extra_cycles_per_fold(array(8, 8, Dataflow::OS), {}) == 0);
}

TEST_CASE("OS 256x256 at 14 nm: saffire overhead's figures against ReaLM's", "[unit][abft][tech]") {
  // `saffire overhead --rows 256 --cols 256 --dataflow os --node 14 [--two-sided]` prints
  // 100 * scheme_cost / baseline_cost per row; arch/tech/README.md quotes these figures.
  const ArrayConfig cfg = array(256, 256, Dataflow::OS);
  const TechTable t = TechTable::for_node(14);
  const Cost base = baseline_cost(cfg, t);
  const auto pct = [&](const char* name, bool two) {
    const Cost c = scheme_cost(S(name), cfg, t, {}, HardwareOptions{two});
    return std::pair{100 * c.area_um2 / base.area_um2, 100 * c.power_mw() / base.power_mw()};
  };
  const std::map<std::string, std::pair<double, double>> one_sided = {
      {"none", {0, 0}},
      {"classic", {0.908, 0.793}},
      {"classic-correct", {1.753, 1.585}},
      {"approxabft", {0.909, 0.794}},
      {"statistical", {0.979, 0.797}},
      {"dmr", {100.063, 100.008}},
      {"thundervolt", {47.953, 49.125}}};
  for (Scheme s : saffire::abft::all_schemes()) {
    INFO(s.name());
    REQUIRE(one_sided.count(std::string(s.name())) == 1);
    const auto [area, power] = pct(std::string(s.name()).c_str(), false);
    CHECK(area == Approx(one_sided.at(std::string(s.name())).first).margin(5e-4));
    CHECK(power == Approx(one_sided.at(std::string(s.name())).second).margin(5e-4));
  }
  // ReaLM (statistical ABFT, OS 256x256, 14 nm): +1.42 % area, +1.79 % power. With both checksum
  // directions both land within 0.5 pp; with the row checksums alone, area does and power does not.
  const auto [area2, power2] = pct("statistical", true);
  CHECK(area2 == Approx(1.825).margin(5e-4));
  CHECK(power2 == Approx(1.588).margin(5e-4));
  CHECK(std::abs(area2 - 1.42) < 0.5);
  CHECK(std::abs(power2 - 1.79) < 0.5);
  const auto [area1, power1] = pct("statistical", false);
  CHECK(std::abs(area1 - 1.42) < 0.5);
  CHECK(std::abs(power1 - 1.79) > 0.5);
}

TEST_CASE("GEMM energy of the declared hardware: checksum units nominal, DMR at the array's V", "[unit][abft][tech]") {
  const TechTable t = TechTable::horowitz45();
  const ArrayConfig cfg = array(8, 8, Dataflow::OS);
  const auto stat = saffire::abft::make_detection_policy(S("statistical"));
  const auto dmr = saffire::abft::make_detection_policy(S("dmr"));
  const auto correct_ws = saffire::abft::make_detection_policy(S("classic-correct"));
  GemmEnergyInput in;
  in.shape = {20, 24, 30};
  in.detection = stat->gemm_hardware(cfg, in.shape);
  const EnergyBreakdown nom = gemm_energy(cfg, t, in);
  CHECK(nom.cycles == 9 * 44);  // 3 x 3 folds of 8 + 8 + 30 - 2 cycles, no extra ones
  // The detection part is the scheme's priced hardware over every cycle.
  const Cost det = scheme_cost(S("statistical"), cfg, t, gemm_workload(cfg, in.shape));
  CHECK(nom.detection == Approx((det.dynamic_pj_per_cycle + det.leakage_mw) * nom.cycles));
  in.v = 0.72;
  CHECK(gemm_energy(cfg, t, in).detection == Approx(nom.detection));  // nominal-voltage domain
  in.detection_at_nominal = false;
  const double exposed = gemm_energy(cfg, t, in).detection / nom.detection;
  CHECK(exposed > 0.64);
  CHECK(exposed < 0.8);
  in.detection_at_nominal = true;
  in.detection = dmr->gemm_hardware(cfg, in.shape);
  const double dmr_low = gemm_energy(cfg, t, in).detection;
  in.v = 0.9;
  CHECK(dmr_low < 0.8 * gemm_energy(cfg, t, in).detection);
  // classic-correct on WS adds 5 cycles to every fold: WS 8x8, M=20 N=24 K=30: 4 x 3 folds of
  // 2*8 + 8 + 20 - 2 = 42 cycles.
  const ArrayConfig ws = array(8, 8, Dataflow::WS);
  in.detection = correct_ws->gemm_hardware(ws, in.shape);
  CHECK(gemm_energy(ws, t, in).cycles == 12 * (42 + 5));
  // Hardware counted for another array's fold is refused.
  CHECK_THROWS_AS(gemm_energy(cfg, t, in), std::invalid_argument);
}
