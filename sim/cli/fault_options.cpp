#include "sim/cli/fault_options.hpp"
#include "sim/cli/option_checks.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <sstream>

#include "arch/config_error.hpp"
#include "arch/timing/voltage_config.hpp"

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

void FaultOptions::add_to(CLI::App& cmd, bool own_voltage) {
  m_cmd = &cmd;
  std::string models;
  for (const faults::FaultModelEntry& e : faults::fault_model_table())
    models += (models.empty() ? "" : "; ") + std::string(e.name) + ": " + std::string(e.summary);
  std::vector<std::string> names;
  for (const faults::FaultModelEntry& e : faults::fault_model_table()) names.emplace_back(e.name);
  cmd.add_option("--fault-model", m_model, models)->capture_default_str()->check(CLI::IsMember(names));
  if (own_voltage)
    cmd.add_option("--voltage", m_voltage,
                 "timing and table models: the array's supply voltage in V (timing: default [voltage] v, else the "
                 "nominal [arch] v_nominal, --v-nominal; at the nominal no timing errors)")
      ->check(finite_above(0, 5));
  cmd.add_option("--fault-table", m_table, "table model: CSV voltage,bit,probability (per-word flip probability per bit)");
  cmd.add_option("--ber", m_ber, "bitflip faults: probability that a GEMM output word is faulty (0 = no faults)")
      ->check(finite_in(0, 1));
  cmd.add_option("--bit", m_bit,
                 "flip this accumulator bit (default: the top exponent bit of the accumulator word, 30 for int32 "
                 "as ReaLM, 30 for fp32, 14 for fp16/bf16)")
      ->check(CLI::Range(0, 31));
  cmd.add_option("--bit-range", m_bit_range, "flip a uniform bit in LO-HI instead, e.g. 0-29");
  cmd.add_option("--stuck", m_stuck, "stuck-at model: PE ROW,COL with accumulator BIT stuck at VALUE (0/1); repeatable")
      ->allow_extra_args(false);
  cmd.add_option("--stuck-file", m_stuck_file, "stuck-at model: CSV row,col,bit,value");
  cmd.add_option("--stuck-fraction", m_stuck_fraction,
                 "stuck-at model: this fraction of the PEs, each with one random stuck bit and value (from --fault-seed)")
      ->check(finite_in(0, 1));
  cmd.add_option("--fault-seed", m_seed, "campaign seed: same seed and config, same faults on every engine")
      ->check(unsigned_integer());
  cmd.add_option("--components", m_components, "faulty GEMM kinds: all or a list of q,k,v,o,gate,up,down,qk,pv");
  cmd.add_option("--layers", m_layers, "faulty layers: all or a list such as 0,1");
  cmd.add_option("--fault-stage", m_stage, "prefill, decode or both");
  cmd.add_flag("--no-realm-clamp", m_no_realm_clamp,
               "do not clamp faulty re-quantized outputs (Q,K,V,gate,up,PV) to +-127*s_out of the clean output");
}

faults::FaultModelParams FaultOptions::params(const arch::ArrayConfig& array, const std::string& config_path) const {
  // An option of another model is a mistake, not something to ignore.
  const faults::FaultModelEntry& entry = faults::fault_model_entry(m_model);
  if (m_cmd) {
    for (const faults::FaultModelEntry& other : faults::fault_model_table())
      for (std::string_view opt : other.options) {
        if (std::find(entry.options.begin(), entry.options.end(), opt) != entry.options.end()) continue;
        if (m_cmd->count(std::string(opt)) > 0)
          throw ConfigError(std::string(opt) + " belongs to --fault-model " + std::string(other.name) + ", not " + m_model);
      }
  }
  faults::FaultModelParams p;
  p.model = m_model;
  p.seed = m_seed;
  p.array = array;
  p.ber = m_ber;
  if (m_bit && !m_bit_range.empty()) throw ConfigError("--bit and --bit-range: give one of them");
  // Unset: the bit below the sign (ReaLM's bit 30 of an INT32 word; the top exponent bit of a float word).
  p.bit_lo = p.bit_hi = arch::info(array.numerics.accumulator).bits - 2;
  if (m_bit) p.bit_lo = p.bit_hi = *m_bit;
  if (!m_bit_range.empty()) {
    const auto dash = m_bit_range.find('-');
    if (dash == std::string::npos) throw ConfigError("--bit-range: expected LO-HI, got '" + m_bit_range + "'");
    p.bit_lo = parse_int(m_bit_range.substr(0, dash), "--bit-range");
    p.bit_hi = parse_int(m_bit_range.substr(dash + 1), "--bit-range");
  }
  // A floating-point accumulator word has fewer bits than 32 (fp16, bf16): the flipped bit must be one of them.
  if (array.numerics.is_float() && (m_model == "bitflip")) {
    const int width = arch::info(array.numerics.accumulator).bits;
    if (p.bit_hi >= width)
      throw ConfigError(fmt::format("{}: bit {} is not a bit of the {} accumulator (0..{})",
                                    m_bit_range.empty() ? "--bit" : "--bit-range", p.bit_hi,
                                    arch::to_string(array.numerics.accumulator), width - 1));
  }
  p.voltage = m_voltage;
  // The timing model's nominal supply and clock are the run's ([arch], command-line overrides applied).
  if (m_model == "timing")
    p.voltage_config = config_path.empty() ? arch::voltage_defaults(array) : arch::load_voltage_config(config_path, array);
  p.table = m_table;
  for (const std::string& s : m_stuck) p.stuck.push_back(faults::parse_stuck_bit(s, "--stuck"));
  p.stuck_file = m_stuck_file;
  p.stuck_fraction = m_stuck_fraction;
  return p;
}

std::shared_ptr<faults::FaultPlan> FaultOptions::make_plan(const arch::ArrayConfig& array,
                                                           const std::string& config_path,
                                                           int model_layers) const {
  std::shared_ptr<const faults::FaultModel> model = faults::make_fault_model(params(array, config_path));

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
    for (const auto& l : split_list(m_layers)) {
      const int layer = parse_int(l, "--layers");
      if (layer < 0) throw ConfigError("--layers: expected layer numbers from 0, got " + l);
      if (layer >= model_layers)
        throw ConfigError(fmt::format("--layers: layer {} is past the model's last layer ({}: it has {} layers)", layer,
                                      model_layers - 1, model_layers));
      t.layers.insert(layer);
    }
  if (m_layers.empty() || m_components.empty())
    throw ConfigError(std::string(m_layers.empty() ? "--layers" : "--components") + ": empty list (give 'all' or names)");
  if (m_stage == "prefill") {
    t.decode = false;
  } else if (m_stage == "decode") {
    t.prefill = false;
  } else if (m_stage != "both") {
    throw ConfigError("--fault-stage: expected prefill, decode or both, got '" + m_stage + "'");
  }
  return std::make_shared<faults::FaultPlan>(std::move(model), t);
}

std::string FaultOptions::to_toml(const arch::ArrayConfig& array, const std::string& config_path) const {
  return "\n[faults]\n" + faults::make_fault_model(params(array, config_path))->to_toml();
}

std::string FaultOptions::describe(bool int8_outputs) const {
  std::string model;
  // The default bit is the one below the sign: INT32 bit 30; fp32 30, fp16/bf16 14 on floating-point PEs.
  const std::string default_bit = int8_outputs ? "30" : "below the sign";
  if (!enabled()) {
    model = "no accumulator faults";  // a campaign of SRAM errors only
  } else if (m_model == "bitflip") {
    model = fmt::format("bitflip, ber {:g}, bit {}", m_ber,
                        !m_bit_range.empty() ? m_bit_range : m_bit ? std::to_string(*m_bit) : default_bit);
  } else if (m_model == "stuck-at") {
    model = fmt::format("stuck-at, {} listed{}{}", m_stuck.size(), m_stuck_file.empty() ? "" : ", file " + m_stuck_file,
                        m_stuck_fraction ? fmt::format(", fraction {:g}", *m_stuck_fraction) : std::string());
  } else {
    model = fmt::format("{} at {} V{}", m_model, m_voltage ? fmt::format("{:g}", *m_voltage) : std::string("config"),
                        m_table.empty() ? "" : ", table " + m_table);
  }
  return fmt::format("{}, seed {}, components {}, layers {}, stage {}, realm clamp {}", model, m_seed, m_components,
                     m_layers, m_stage, !int8_outputs ? "n/a" : realm_clamp() ? "on" : "off");
}

}  // namespace saffire::cli
