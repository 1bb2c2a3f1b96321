#include "arch/tech/tech_table.hpp"

#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"
#include "arch/toml_table_reader.hpp"

namespace saffire::arch {

std::string_view component_key(Component c) {
  switch (c) {
    case Component::Mult8:
      return "mult_int8";
    case Component::Add32:
      return "add_int32";
    case Component::Add16:
      return "add_int16";
    case Component::RegBit:
      return "reg_bit";
    case Component::Cmp32:
      return "cmp_int32";
    case Component::Xor2:
      return "xor2";
    case Component::Mux2:
      return "mux2";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------------
// 45 nm defaults
// ---------------------------------------------------------------------------------------------------
// Energies: Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014, 45 nm,
// 0.9 V: 8-bit multiply 0.2 pJ, 32-bit add 0.1 pJ, 16-bit add 0.05 pJ, 8-bit add 0.03 pJ, 8 KB SRAM
// 64-bit read 10 pJ. Areas: the area column of the same talk as commonly reproduced: 8-bit multiply
// 282 um^2, 32-bit add 137 um^2, 16-bit add 67 um^2, 8-bit add 36 um^2. (background.md lists the
// energies except the 16-bit add; the 16-bit figures are from the same commonly cited table.)
// Not in Horowitz's table (our documented choices, all overridable in a TOML [tech] table):
// - register bit: the NanGate FreePDK45 open cell library's DFF_X1 is 4.52 um^2; energy 5 fJ per bit
//   per clock edge (clock pin and internal nodes toggle every cycle, plus typical data activity;
//   a full adder costs ~3.75 fJ by Horowitz's 8-bit add, a flip-flop is of the same order).
// - 32-bit comparator: a magnitude comparator is the adder's carry chain without the sum XORs:
//   3/4 of the 32-bit adder in area and energy (103 um^2, 0.075 pJ).
// - XOR2 gate: NanGate XOR2_X1 1.60 um^2, 1 fJ per evaluation; 2:1 mux bit: MUX2_X1 1.86 um^2, 1 fJ.
// - SRAM area: a 45 nm 6T bit cell of ~0.346 um^2 at ~60 % array efficiency: 8192 * 0.346 / 0.6
//   = 4724 um^2 per KB.
// - leakage: 20 nW per um^2 of logic (standard-Vt cells, typical corner, room temperature: an order
//   of magnitude, about 2-3 % of the array's power at 1 GHz; hot silicon leaks several times more).
TechTable TechTable::horowitz45() {
  TechTable t;
  t.node_nm = 45;
  t.v_nominal = 0.9;
  t.cost(Component::Mult8) = {282.0, 0.2};
  t.cost(Component::Add32) = {137.0, 0.1};
  t.cost(Component::Add16) = {67.0, 0.05};
  t.cost(Component::RegBit) = {4.52, 0.005};
  t.cost(Component::Cmp32) = {0.75 * 137.0, 0.75 * 0.1};
  t.cost(Component::Xor2) = {1.60, 0.001};
  t.cost(Component::Mux2) = {1.86, 0.001};
  t.sram_area_um2_per_kb = 4724.0;
  t.sram_energy_pj_per_access = 10.0;
  t.leakage_nw_per_um2 = 20.0;
  return t;
}

// ---------------------------------------------------------------------------------------------------
// Node scaling
// ---------------------------------------------------------------------------------------------------
// area    = (node/45)^2 * c_area, c_area = 1, 1.05, 1.15, 1.4 for 45, 28, 22, 14 nm: ideal shrink,
//           corrected for wires, cell heights and contacted pitches that no longer shrink with the
//           node name (our choice: 14 nm logic comes out ~7x denser than 45 nm, not the ideal 10.3x).
// energy  = (node/45) * (Vchar/0.9)^2: switched capacitance ~ feature size, times the square of the
//           node's typical supply, the table's characterization voltage (0.9 V at 45 and 28 nm, 0.8 V
//           at 22 and 14 nm). A run at another supply converts the table (at_voltage).
// leakage = (node/45) * (Vchar/0.9) / area: leakage current per device ~ device width and roughly
//           linear in V; devices per um^2 ~ 1/area. (FinFETs at 14 nm leak less per device than this
//           planar trend: a user table should lower leakage_nw_per_um2 for a FinFET library.)
NodeScaling node_scaling(int node_nm) {
  double correction = 0, v_nom = 0;
  switch (node_nm) {
    case 45:
      correction = 1.0, v_nom = 0.9;
      break;
    case 28:
      correction = 1.05, v_nom = 0.9;
      break;
    case 22:
      correction = 1.15, v_nom = 0.8;
      break;
    case 14:
      correction = 1.4, v_nom = 0.8;
      break;
    default:
      throw ConfigError("tech.node_nm: unsupported node " + std::to_string(node_nm) +
                        " nm (expected 45, 28, 22 or 14; supply a TOML table for other nodes)");
  }
  NodeScaling s;
  s.node_nm = node_nm;
  const double f = node_nm / 45.0;
  s.area_correction = correction;
  s.area = f * f * correction;
  s.v_characterized = v_nom;
  s.energy = f * (v_nom / 0.9) * (v_nom / 0.9);
  s.leakage = f * (v_nom / 0.9) / s.area;
  return s;
}

TechTable at_voltage(const TechTable& table, double v) {
  if (!(v > 0) || !std::isfinite(v))
    throw ConfigError("tech: cannot convert the table to a supply of " + std::to_string(v) + " V");
  TechTable t = table;
  const double lin = v / table.v_nominal, dyn = lin * lin;
  for (ComponentCost& c : t.components) c.energy_pj *= dyn;
  t.sram_energy_pj_per_access *= dyn;
  t.leakage_nw_per_um2 *= lin;
  t.v_nominal = v;
  return t;
}

TechTable TechTable::for_node(int node_nm) {
  const NodeScaling s = node_scaling(node_nm);
  TechTable t = horowitz45();
  t.node_nm = node_nm;
  t.v_nominal = s.v_characterized;
  for (ComponentCost& c : t.components) {
    c.area_um2 *= s.area;
    c.energy_pj *= s.energy;
  }
  t.sram_area_um2_per_kb *= s.area;
  t.sram_energy_pj_per_access *= s.energy;
  t.leakage_nw_per_um2 *= s.leakage;
  return t;
}

// ---------------------------------------------------------------------------------------------------
// Validation and TOML
// ---------------------------------------------------------------------------------------------------
namespace {

// Every floating-point field of the table, by its TOML key.
std::map<std::string, double*> float_fields(TechTable& t) {
  std::map<std::string, double*> fields;
  for (Component c : kComponents) {
    const std::string key(component_key(c));
    fields[key + "_area_um2"] = &t.cost(c).area_um2;
    fields[key + "_energy_pj"] = &t.cost(c).energy_pj;
  }
  fields["v_characterized"] = &t.v_nominal;
  fields["sram_area_um2_per_kb"] = &t.sram_area_um2_per_kb;
  fields["sram_energy_pj_per_access"] = &t.sram_energy_pj_per_access;
  fields["leakage_nw_per_um2"] = &t.leakage_nw_per_um2;
  return fields;
}

std::string fmt_double(double v) {
  std::ostringstream out;
  out << std::setprecision(17) << v;
  return out.str();
}

}  // namespace

void TechTable::validate() const {
  TechTable copy = *this;
  for (const auto& [key, ptr] : float_fields(copy)) {
    if (!std::isfinite(*ptr) || !(*ptr > 0))
      throw ConfigError("tech." + key + ": must be a positive finite number, got " + fmt_double(*ptr));
  }
  if (node_nm < 1 || node_nm > 1000)
    throw ConfigError("tech.node_nm: must be in [1, 1000] nm, got " + std::to_string(node_nm));
}

TechTable parse_tech_table(const std::string& toml_text, const std::string& origin) {
  const toml::table doc = parse_toml(toml_text, origin);
  check_config_tables(doc, origin);
  TomlTableReader root(doc, origin, "");
  TomlTableReader* tech = root.table("tech");  // other tables belong to other readers
  if (!tech) throw ConfigError(origin + ": no [tech] table");

  // The node first: it selects the defaults that the other keys override.
  TechTable t = TechTable::horowitz45();
  if (const auto node = tech->optional<int>("node_nm")) {
    if (*node != 45 && *node != 28 && *node != 22 && *node != 14)
      throw ConfigError(tech->where("node_nm") + ": unsupported node " + std::to_string(*node) +
                        " (defaults exist for 45, 28, 22 and 14)");
    t = TechTable::for_node(*node);
  }
  if (tech->node("v_nominal"))
    throw ConfigError(tech->where("v_nominal") +
                      ": renamed to tech.v_characterized (the voltage the table's energies hold at; the run's "
                      "nominal supply is [arch] v_nominal, --v-nominal)");
  for (const auto& [key, ptr] : float_fields(t)) *ptr = tech->get_or(key, *ptr, positive<double>());
  tech->finish();
  tech->validate([&] { t.validate(); });
  return t;
}

TechTable load_tech_table(const std::filesystem::path& path) {
  return parse_tech_table(read_text_file(path, "tech table file"), path.string());
}

std::string to_toml(const TechTable& table) {
  TechTable copy = table;
  std::ostringstream out;
  out << "[tech]\nnode_nm = " << table.node_nm << "\n";
  for (const auto& [key, ptr] : float_fields(copy)) {
    std::string v = fmt_double(*ptr);
    if (v.find_first_of(".eE") == std::string::npos) v += ".0";
    out << key << " = " << v << "\n";
  }
  return out.str();
}

}  // namespace saffire::arch
