#pragma once
// TechTable: area (um^2) and energy (pJ per operation) of the few circuit components the ABFT cost
// model is built from, for one technology node. Defaults: 45 nm from Horowitz (ISSCC 2014), scaled
// to 28, 22 and 14 nm with the factors of node_scaling() (documented in arch/tech/README.md).
// Users supply their own table as a TOML [tech] table (parse_tech_table / load_tech_table).
//
// The energies hold at the table's characterization voltage ([tech] v_characterized: 0.9 V at 45 and
// 28 nm, 0.8 V at 22 and 14 nm), which is a property of the table, not the run's nominal supply
// ([arch] v_nominal, ArrayConfig). at_voltage() converts a table to any supply: dynamic energies scale
// with (V / v_characterized)^2, leakage with V / v_characterized.
#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace saffire::arch {

/// The components of the cost model. Every one has an area and an energy per operation.
enum class Component {
  Mult8,   // INT8 x INT8 -> 16-bit multiplier; energy per multiply
  Add32,   // 32-bit adder; energy per add
  Add16,   // 16-bit adder; energy per add
  RegBit,  // one flip-flop; energy per bit per clock edge (clock load plus typical data toggling)
  Cmp32,   // 32-bit magnitude comparator; energy per comparison
  Xor2,    // one 2-input XOR (or OR) gate; energy per evaluation
  Mux2,    // one bit of a 2:1 multiplexer; energy per evaluation
};
inline constexpr std::array<Component, 7> kComponents = {Component::Mult8,  Component::Add32, Component::Add16,
                                                         Component::RegBit, Component::Cmp32, Component::Xor2,
                                                         Component::Mux2};

/// Key prefix of a component in the TOML table and in reports ("mult_int8", "add_int32", ...).
std::string_view component_key(Component c);

struct ComponentCost {
  double area_um2 = 0;   // um^2 per instance (per bit for RegBit and Mux2)
  double energy_pj = 0;  // pJ per operation at the table's characterization voltage
};

struct TechTable {
  int node_nm = 45;
  // V: the characterization voltage, the supply the energies and the leakage density hold at; the TOML
  // key is v_characterized ([tech] v_nominal is refused: it is not the run's nominal, [arch] v_nominal).
  // The member keeps its old spelling only while sim/cli/cmd_overhead.cpp still reads it by that name.
  double v_nominal = 0.9;
  std::array<ComponentCost, kComponents.size()> components{};
  double sram_area_um2_per_kb = 0;       // um^2 per KB (1024 bytes) of SRAM, including periphery
  double sram_energy_pj_per_access = 0;  // pJ per 64-bit access (read or write) of an 8 KB bank
  double leakage_nw_per_um2 = 0;         // static power density of logic at the characterization voltage, nW/um^2

  const ComponentCost& cost(Component c) const { return components[static_cast<std::size_t>(c)]; }
  ComponentCost& cost(Component c) { return components[static_cast<std::size_t>(c)]; }

  /// Throws ConfigError naming the field ("tech.<key>") unless every figure is positive and finite.
  void validate() const;

  /// The 45 nm table (Horowitz ISSCC 2014 energies and areas; see tech_table.cpp for each source).
  static TechTable horowitz45();
  /// The default table of a node: 45, 28, 22 or 14; anything else throws ConfigError.
  static TechTable for_node(int node_nm);
};

/// Scaling of the 45 nm figures to another node (closed forms in arch/tech/README.md).
struct NodeScaling {
  int node_nm = 45;
  double area = 1;  // logic and SRAM area factor: (node/45)^2 * area_correction
  double area_correction = 1;
  double energy = 1;  // dynamic energy factor: (node/45) * (v_characterized / 0.9)^2
  double v_characterized = 0.9;  // V: the node's supply its energies are scaled to (Horowitz's 45 nm: 0.9 V)
  double leakage = 1;  // leakage density factor: (node/45) * (v_characterized / 0.9) / area
};
/// Throws ConfigError unless node_nm is 45, 28, 22 or 14.
NodeScaling node_scaling(int node_nm);

/// `table` converted to the supply `v` (V > 0): every dynamic energy (components, SRAM access) times
/// (v / V_char)^2, the leakage density times v / V_char, areas unchanged, and the characterization voltage
/// set to v (V_char = table.v_nominal). Pricing the converted table at v is pricing the original at v.
TechTable at_voltage(const TechTable& table, double v);

/// Reads the [tech] table of a TOML document. `node_nm` (default 45) selects the defaults; the other
/// keys override them one by one. Unknown keys, wrong types, non-positive values and the renamed key
/// v_nominal (now v_characterized) throw ConfigError naming `origin`, the line and the key
/// ("t.toml:3: tech.add_int32_area_um2: ..."). A document
/// without a [tech] table is an error (a table file that sets nothing is almost surely a mistake).
TechTable parse_tech_table(const std::string& toml_text, const std::string& origin);

/// Same, from a file.
TechTable load_tech_table(const std::filesystem::path& path);

/// The table as a TOML [tech] table, every key written (parse_tech_table reads it back exactly).
std::string to_toml(const TechTable& table);

}  // namespace saffire::arch
