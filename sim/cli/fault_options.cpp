#include "sim/cli/fault_options.hpp"

#include <fmt/core.h>

#include <sstream>

#include "arch/config_error.hpp"
#include "sim/faults/bit_error_table.hpp"
#include "arch/timing/voltage_config.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/fault_injecting_engine.hpp"

namespace saffire::cli {
namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

int parse_int(const std::string& s, const std::string& what) {
  try {
    std::size_t used = 0;
    const int v = std::stoi(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw ConfigError(what + ": expected an integer, got '" + s + "'");
}

}  // namespace

void FaultOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--fault-model", m_model,
                 "bitflip (ReaLM: --ber, --bit), timing (PE timing errors at --voltage) or table (--fault-table at --voltage)")
      ->capture_default_str()
      ->check(CLI::IsMember({"bitflip", "timing", "table"}));
  cmd.add_option("--voltage", m_voltage, "timing and table models: supply voltage in V (nominal: voltage.v_nominal)");
  cmd.add_option("--fault-table", m_table, "table model: CSV voltage,bit,probability (per-word flip probability per bit)");
  cmd.add_option("--ber", m_ber, "bitflip faults: probability that a GEMM output word is faulty (0 = no faults)");
  cmd.add_option("--bit", m_bit, "flip this accumulator bit (default: 30, ReaLM's default)");
  cmd.add_option("--bit-range", m_bit_range, "flip a uniform bit in LO-HI instead, e.g. 0-29");
  cmd.add_option("--fault-seed", m_seed, "campaign seed: same seed and config, same faults on every engine");
  cmd.add_option("--components", m_components, "faulty GEMM kinds: all or a list of q,k,v,o,gate,up,down,qk,pv");
  cmd.add_option("--layers", m_layers, "faulty layers: all or a list such as 0,1");
  cmd.add_option("--fault-stage", m_stage, "prefill, decode or both");
  cmd.add_flag("--no-realm-clamp", m_no_realm_clamp,
               "do not clamp faulty re-quantized outputs (Q,K,V,gate,up,PV) to +-127*s_out of the clean output");
}

namespace {

arch::VoltageConfig voltage_config(const std::string& config_path, std::optional<double> v) {
  arch::VoltageConfig vc = config_path.empty() ? arch::VoltageConfig{} : arch::load_voltage_config(config_path);
  if (v) vc.v = *v;
  try {
    vc.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--voltage: ") + e.what());
  }
  return vc;
}

}  // namespace

std::shared_ptr<faults::FaultPlan> FaultOptions::make_plan(const arch::ArrayConfig& array,
                                                        const std::string& config_path) const {
  const bool bitflip = m_model == "bitflip";
  if (!bitflip && (m_ber > 0 || m_bit >= 0 || !m_bit_range.empty()))
    throw ConfigError("--ber, --bit and --bit-range belong to --fault-model bitflip, not " + m_model);
  if (bitflip && (m_voltage || !m_table.empty()))
    throw ConfigError("--voltage and --fault-table belong to --fault-model timing or table, not bitflip");
  if (m_model == "timing" && !m_table.empty()) throw ConfigError("--fault-table belongs to --fault-model table");
  if (m_model == "table" && m_table.empty()) throw ConfigError("--fault-model table needs --fault-table FILE.csv");
  if (m_model == "table" && !m_voltage) throw ConfigError("--fault-model table needs --voltage");
  faults::BitflipConfig bf;
  bf.ber = m_ber;
  bf.seed = m_seed;
  if (m_bit >= 0 && !m_bit_range.empty()) throw ConfigError("--bit and --bit-range: give one of them");
  if (m_bit >= 0) bf.bit_lo = bf.bit_hi = m_bit;
  if (!m_bit_range.empty()) {
    const auto dash = m_bit_range.find('-');
    if (dash == std::string::npos) throw ConfigError("--bit-range: expected LO-HI, got '" + m_bit_range + "'");
    bf.bit_lo = parse_int(m_bit_range.substr(0, dash), "--bit-range");
    bf.bit_hi = parse_int(m_bit_range.substr(dash + 1), "--bit-range");
  }
  bf.validate();
  if (m_model == "table") bf = faults::BitErrorTable::load(m_table).bitflip_config(*m_voltage, m_seed);

  faults::FaultTargeting t;
  if (m_components != "all") {
    t.components.reset();
    for (const auto& name : split_list(m_components)) {
      try {
        t.components.set(static_cast<std::size_t>(models::parse_component(name)));
      } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("--components: ") + e.what());
      }
    }
  }
  if (m_layers != "all")
    for (const auto& l : split_list(m_layers)) t.layers.insert(parse_int(l, "--layers"));
  if (m_stage == "prefill") {
    t.decode = false;
  } else if (m_stage == "decode") {
    t.prefill = false;
  } else if (m_stage != "both") {
    throw ConfigError("--fault-stage: expected prefill, decode or both, got '" + m_stage + "'");
  }
  if (m_model == "timing")
    return std::make_shared<faults::FaultPlan>(
        std::make_shared<const arch::TimingModel>(voltage_config(config_path, m_voltage), array.rows, array.cols), t);
  return std::make_shared<faults::FaultPlan>(bf, t);
}

double FaultOptions::nominal_voltage(const faults::FaultPlan& plan, const std::string& config_path) const {
  if (plan.timing()) return plan.timing()->config().v_nominal;
  return (config_path.empty() ? arch::VoltageConfig{} : arch::load_voltage_config(config_path)).v_nominal;
}

std::string FaultOptions::to_toml(const arch::ArrayConfig& array, const std::string& config_path) const {
  const auto plan = make_plan(array, config_path);
  std::string out = fmt::format("\n[faults]\nmodel = \"{}\"\n", m_model);
  if (m_model == "timing") return out + "\n" + arch::to_toml(plan->timing()->config());
  const faults::BitflipConfig& bf = plan->bitflip();
  out += fmt::format("ber = {:e}\nbit_lo = {}\nbit_hi = {}\n", bf.ber, bf.bit_lo, bf.bit_hi);
  if (m_model == "table") out += fmt::format("voltage = {}\ntable = \"{}\"\n", *m_voltage, m_table);
  return out;
}

std::unique_ptr<models::GemmEngine> FaultOptions::inject(std::unique_ptr<models::GemmEngine> engine,
                                                         const arch::ArrayConfig& array,
                                                         std::shared_ptr<faults::FaultPlan> plan) {
  if (auto* a = dynamic_cast<sim::ArrayGemmEngine*>(engine.get())) {
    a->set_fault_plan(std::move(plan));
    return engine;
  }
  return std::make_unique<faults::FaultInjectingEngine>(std::move(engine), array, std::move(plan));
}

std::string FaultOptions::describe() const {
  std::string model;
  if (m_model == "bitflip") {
    model = fmt::format("bitflip, ber {:g}, bit {}", m_ber,
                        !m_bit_range.empty() ? m_bit_range : std::to_string(m_bit >= 0 ? m_bit : 30));
  } else {
    model = fmt::format("{} at {} V{}", m_model, m_voltage ? fmt::format("{:g}", *m_voltage) : std::string("config"),
                        m_table.empty() ? "" : ", table " + m_table);
  }
  return fmt::format("{}, seed {}, components {}, layers {}, stage {}, realm clamp {}", model, m_seed, m_components,
                     m_layers, m_stage, realm_clamp() ? "on" : "off");
}

}  // namespace saffire::cli
