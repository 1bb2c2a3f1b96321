// TechTable: the 45 nm defaults are Horowitz's figures, the other nodes follow the closed-form
// scaling, TOML tables are read strictly (unknown keys and bad values name the file and key), and a
// table converts from its characterization voltage to any supply in closed form.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "arch/array_config.hpp"
#include "arch/config_error.hpp"
#include "arch/tech/array_cost.hpp"
#include "arch/tech/tech_table.hpp"
#include "tests/test_support.hpp"

using namespace saffire::arch;
using saffire::ConfigError;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_tech_table(text, "t.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("45 nm table is Horowitz ISSCC 2014", "[unit][tech]") {
  const TechTable t = TechTable::horowitz45();
  CHECK(t.node_nm == 45);
  CHECK(t.v_nominal == 0.9);  // the characterization voltage (TOML key v_characterized)
  // Energies (pJ): 8-bit multiply 0.2, 32-bit add 0.1, 16-bit add 0.05; 8 KB SRAM 64-bit read 10.
  CHECK(t.cost(Component::Mult8).energy_pj == 0.2);
  CHECK(t.cost(Component::Add32).energy_pj == 0.1);
  CHECK(t.cost(Component::Add16).energy_pj == 0.05);
  CHECK(t.sram_energy_pj_per_access == 10.0);
  // Areas (um^2): 8-bit multiply 282, 32-bit add 137, 16-bit add 67.
  CHECK(t.cost(Component::Mult8).area_um2 == 282.0);
  CHECK(t.cost(Component::Add32).area_um2 == 137.0);
  CHECK(t.cost(Component::Add16).area_um2 == 67.0);
  // Documented choices: NanGate DFF_X1 4.52 um^2; comparator = 3/4 of the 32-bit adder.
  CHECK(t.cost(Component::RegBit).area_um2 == 4.52);
  CHECK(t.cost(Component::Cmp32).area_um2 == Approx(102.75));
  CHECK(t.cost(Component::Cmp32).energy_pj == Approx(0.075));
  CHECK_NOTHROW(t.validate());
  CHECK(TechTable::for_node(45).cost(Component::Mult8).area_um2 == 282.0);
}

TEST_CASE("node scaling follows the closed form", "[unit][tech]") {
  const TechTable base = TechTable::horowitz45();
  struct Expect {
    int node;
    double correction, v;
  };
  // area = (node/45)^2 * correction; energy = (node/45) * (V/0.9)^2; leakage = (node/45)(V/0.9)/area
  for (const Expect e : {Expect{28, 1.05, 0.9}, Expect{22, 1.15, 0.8}, Expect{14, 1.4, 0.8}}) {
    INFO("node " << e.node);
    const TechTable t = TechTable::for_node(e.node);
    const double f = e.node / 45.0;
    const double area = f * f * e.correction, energy = f * (e.v / 0.9) * (e.v / 0.9);
    CHECK(t.node_nm == e.node);
    CHECK(t.v_nominal == Approx(e.v));
    for (Component c : kComponents) {
      CHECK(t.cost(c).area_um2 == Approx(base.cost(c).area_um2 * area));
      CHECK(t.cost(c).energy_pj == Approx(base.cost(c).energy_pj * energy));
    }
    CHECK(t.sram_area_um2_per_kb == Approx(base.sram_area_um2_per_kb * area));
    CHECK(t.sram_energy_pj_per_access == Approx(base.sram_energy_pj_per_access * energy));
    CHECK(t.leakage_nw_per_um2 == Approx(base.leakage_nw_per_um2 * f * (e.v / 0.9) / area));
  }
  // 14 nm: 8-bit multiply 282 * 0.0968 * 1.4 = 38.2 um^2 and 0.2 * 0.311 * 0.790 = 0.0492 pJ.
  CHECK(TechTable::for_node(14).cost(Component::Mult8).area_um2 == Approx(38.22).epsilon(1e-3));
  CHECK(TechTable::for_node(14).cost(Component::Mult8).energy_pj == Approx(0.04916).epsilon(1e-3));
  // Smaller nodes are smaller and cheaper.
  CHECK(TechTable::for_node(14).cost(Component::Add32).area_um2 <
        TechTable::for_node(22).cost(Component::Add32).area_um2);
  CHECK(TechTable::for_node(22).cost(Component::Add32).energy_pj <
        TechTable::for_node(28).cost(Component::Add32).energy_pj);
  CHECK_THROWS_AS(TechTable::for_node(7), ConfigError);
  CHECK_THROWS_WITH(node_scaling(10), Catch::Contains("unsupported node 10"));
}

TEST_CASE("TOML tech tables", "[unit][tech]") {
  SECTION("node_nm selects the defaults, keys override them") {
    const TechTable t =
        parse_tech_table("[tech]\nnode_nm = 14\nadd_int32_area_um2 = 20\nreg_bit_energy_pj = 0.002\n", "t.toml");
    const TechTable d = TechTable::for_node(14);
    CHECK(t.node_nm == 14);
    CHECK(t.cost(Component::Add32).area_um2 == 20.0);
    CHECK(t.cost(Component::RegBit).energy_pj == 0.002);
    CHECK(t.cost(Component::Mult8).area_um2 == d.cost(Component::Mult8).area_um2);
    CHECK(t.leakage_nw_per_um2 == d.leakage_nw_per_um2);
  }
  SECTION("round trip through to_toml") {
    TechTable t = TechTable::for_node(22);
    t.cost(Component::Xor2).area_um2 = 0.123456789012345;
    const TechTable back = parse_tech_table(to_toml(t), "rt.toml");
    CHECK(back.node_nm == 22);
    for (Component c : kComponents) {
      CHECK(back.cost(c).area_um2 == t.cost(c).area_um2);
      CHECK(back.cost(c).energy_pj == t.cost(c).energy_pj);
    }
    CHECK(back.sram_area_um2_per_kb == t.sram_area_um2_per_kb);
    CHECK(back.v_nominal == t.v_nominal);
    CHECK_THAT(to_toml(t), Catch::Contains("\nv_characterized = 0.8"));
  }
  SECTION("v_characterized overrides the node's characterization voltage") {
    const TechTable t = parse_tech_table("[tech]\nnode_nm = 14\nv_characterized = 0.75\n", "t.toml");
    CHECK(t.v_nominal == 0.75);
    CHECK(t.cost(Component::Mult8).energy_pj == TechTable::for_node(14).cost(Component::Mult8).energy_pj);
    CHECK_THAT(error_of("[tech]\nv_characterized = 0\n"), Catch::Contains("t.toml:2: tech.v_characterized"));
  }
  SECTION("the old key v_nominal is an error naming its new name") {
    const std::string msg = error_of("[tech]\nnode_nm = 14\n\nv_nominal = 0.8\n");
    CHECK_THAT(msg, Catch::Contains("t.toml:4: tech.v_nominal: renamed to tech.v_characterized"));
    CHECK_THAT(msg, Catch::Contains("[arch] v_nominal"));
  }
  SECTION("errors name the file, line and key") {
    const std::string unknown = error_of("[tech]\nmult_int8_area_um2 = 100\nmul_int8_energy_pj = 0.1\n");
    CHECK_THAT(unknown, Catch::Contains("t.toml:3: tech.mul_int8_energy_pj") && Catch::Contains("unknown key"));
    CHECK_THAT(error_of("[tech]\nadd_int16_energy_pj = -0.05\n"),
               Catch::Contains("t.toml:2: tech.add_int16_energy_pj") && Catch::Contains("positive"));
    CHECK_THAT(error_of("[tech]\nadd_int16_energy_pj = 0\n"), Catch::Contains("tech.add_int16_energy_pj"));
    CHECK_THAT(error_of("[tech]\nsram_area_um2_per_kb = \"big\"\n"),
               Catch::Contains("t.toml:2: tech.sram_area_um2_per_kb") && Catch::Contains("number"));
    CHECK_THAT(error_of("[tech]\nleakage_nw_per_um2 = nan\n"), Catch::Contains("tech.leakage_nw_per_um2"));
    CHECK_THAT(error_of("[tech]\nnode_nm = 7\n"), Catch::Contains("tech.node_nm"));
    CHECK_THAT(error_of("[tech]\nnode_nm = 14.0\n"), Catch::Contains("tech.node_nm"));
    CHECK_THAT(error_of("[arch]\nrows = 4\n"), Catch::Contains("no [tech] table"));
    CHECK_THAT(error_of("tech = 3\n"), Catch::Contains("must be a table"));
    CHECK_THAT(error_of("[tech\n"), Catch::Contains("t.toml:1"));
  }
  SECTION("files") {
    const auto dir = std::filesystem::temp_directory_path() / "saffire_test_tech";
    std::filesystem::create_directories(dir);
    const auto path = dir / "bad.toml";
    std::ofstream(path) << "[tech]\nnode_nm = 28\ncmp_int32_areaa = 3\n";
    CHECK_THROWS_WITH(load_tech_table(path), Catch::Contains("bad.toml:3: tech.cmp_int32_areaa"));
    std::ofstream(path) << "[tech]\nnode_nm = 28\n";
    CHECK(load_tech_table(path).node_nm == 28);
    CHECK_THROWS_WITH(load_tech_table(dir / "missing.toml"), Catch::Contains("cannot open"));
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("at_voltage converts a table from its characterization voltage in closed form", "[unit][tech]") {
  const TechTable t14 = TechTable::for_node(14);  // characterized at 0.8 V
  REQUIRE(t14.v_nominal == Approx(0.8));
  for (double v : {0.9, 0.8, 0.6}) {
    INFO("V = " << v);
    const TechTable at = at_voltage(t14, v);
    const double s = v / 0.8;
    CHECK(at.v_nominal == v);
    CHECK(at.node_nm == 14);
    for (Component c : kComponents) {
      CHECK(at.cost(c).energy_pj == Approx(t14.cost(c).energy_pj * s * s).epsilon(1e-14));
      CHECK(at.cost(c).area_um2 == t14.cost(c).area_um2);
    }
    CHECK(at.sram_energy_pj_per_access == Approx(t14.sram_energy_pj_per_access * s * s).epsilon(1e-14));
    CHECK(at.sram_area_um2_per_kb == t14.sram_area_um2_per_kb);
    CHECK(at.leakage_nw_per_um2 == Approx(t14.leakage_nw_per_um2 * s).epsilon(1e-14));
    // Converting back returns the characterized table.
    const TechTable back = at_voltage(at, 0.8);
    CHECK(back.cost(Component::Add32).energy_pj == Approx(t14.cost(Component::Add32).energy_pj).epsilon(1e-14));
    CHECK(back.leakage_nw_per_um2 == Approx(t14.leakage_nw_per_um2).epsilon(1e-14));
  }
  CHECK_THROWS_AS(at_voltage(t14, 0.0), ConfigError);
  CHECK_THROWS_AS(at_voltage(t14, -0.8), ConfigError);
}

TEST_CASE("GEMM energy at V: the characterized energy times (V / V_char)^2, leakage times V / V_char", "[unit][tech]") {
  // The run's nominal supply (0.9 V) is not the 14 nm table's characterization voltage (0.8 V): energy
  // converts the table to the nominal and scales from there, which is the same as scaling from 0.8 V.
  ArrayConfig cfg;
  cfg.rows = cfg.cols = 16;
  cfg.dataflow = Dataflow::OS;
  const TechTable t14 = TechTable::for_node(14);
  const double v_nominal = 0.9, v_char = t14.v_nominal;
  const TechTable nominal_table = at_voltage(t14, v_nominal);
  GemmEnergyInput at_char;
  at_char.shape = {100, 70, 90};
  at_char.v = at_char.v_nominal = v_char;  // the table as characterized: no scaling at all
  const EnergyBreakdown e_char = gemm_energy(cfg, t14, at_char);
  REQUIRE(e_char.mac > 0);
  REQUIRE(e_char.leakage > 0);
  for (double v : {0.9, 0.8, 0.72, 0.6}) {
    INFO("V = " << v);
    GemmEnergyInput in = at_char;
    in.v = v;
    in.v_nominal = v_nominal;
    const EnergyBreakdown e = gemm_energy(cfg, nominal_table, in);
    const double s = v / v_char;
    CHECK(e.mac == Approx(e_char.mac * s * s).epsilon(1e-12));
    CHECK(e.array_registers == Approx(e_char.array_registers * s * s).epsilon(1e-12));
    // The SRAM stays at the nominal supply whatever the array's: (0.9 / V_char)^2.
    CHECK(e.sram == Approx(e_char.sram * (v_nominal / v_char) * (v_nominal / v_char)).epsilon(1e-12));
    CHECK(e.leakage == Approx(e_char.leakage * s).epsilon(1e-12));
    CHECK(e.cycles == e_char.cycles);
  }
  // At the nominal supply nothing is scaled against the converted table: the nominal energy is the
  // characterized one times (0.9 / 0.8)^2 (dynamic) and 0.9 / 0.8 (leakage), not the characterized one.
  GemmEnergyInput nom = at_char;
  nom.v = nom.v_nominal = v_nominal;
  const EnergyBreakdown e_nom = gemm_energy(cfg, nominal_table, nom);
  CHECK(e_nom.mac == Approx(e_char.mac * (0.9 / 0.8) * (0.9 / 0.8)).epsilon(1e-12));
  CHECK(e_nom.leakage == Approx(e_char.leakage * 0.9 / 0.8).epsilon(1e-12));
}
