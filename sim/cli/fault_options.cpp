#include "sim/cli/fault_options.hpp"

#include <fmt/core.h>

#include <sstream>

#include "arch/config_error.hpp"
#include "sim/array_engine.hpp"
#include "sim/fault_injecting_engine.hpp"

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

std::shared_ptr<sim::FaultPlan> FaultOptions::make_plan() const {
  arch::BitflipConfig bf;
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

  sim::FaultTargeting t;
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
  return std::make_shared<sim::FaultPlan>(bf, t);
}

std::unique_ptr<models::GemmEngine> FaultOptions::inject(std::unique_ptr<models::GemmEngine> engine,
                                                         const arch::ArrayConfig& array,
                                                         std::shared_ptr<sim::FaultPlan> plan) {
  if (auto* a = dynamic_cast<sim::ArrayGemmEngine*>(engine.get())) {
    a->set_fault_plan(std::move(plan));
    return engine;
  }
  return std::make_unique<sim::FaultInjectingEngine>(std::move(engine), array, std::move(plan));
}

std::string FaultOptions::describe() const {
  return fmt::format("ber {:g}, bit {}, seed {}, components {}, layers {}, stage {}, realm clamp {}", m_ber,
                     !m_bit_range.empty() ? m_bit_range : std::to_string(m_bit >= 0 ? m_bit : 30), m_seed, m_components,
                     m_layers, m_stage, m_no_realm_clamp ? "off" : "on");
}

}  // namespace saffire::cli
