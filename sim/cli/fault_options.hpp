#pragma once
// Command-line options of a fault campaign, shared by eval and generate:
//   --fault-model NAME (default bitflip; the models and their own options are the rows of
//   sim/faults/fault_model_factory.cpp: bitflip --ber --bit/--bit-range; timing --voltage (the rest
//   of the [voltage] table from --config, the nominal supply and clock from the run's [arch]); table
//   --fault-table --voltage; stuck-at --stuck,
//   --stuck-file, --stuck-fraction)
//   all: --fault-seed, --components, --layers, --fault-stage, --no-realm-clamp.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/array_config.hpp"
#include "models/engine/gemm_engine.hpp"
#include "models/llm/quantize.hpp"
#include "sim/faults/fault_model_factory.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/faults/realm_clamp_hook.hpp"

namespace saffire::cli {

class FaultOptions {
 public:
  /// `own_voltage` false: the command keeps its own --voltage (gemm: the array's supply for energy) and
  /// passes it on with set_voltage.
  void add_to(CLI::App& cmd, bool own_voltage = true);
  void set_voltage(std::optional<double> v) { m_voltage = v; }
  /// True when a campaign was asked for: --ber > 0, or any model other than bitflip.
  bool enabled() const { return m_ber > 0.0 || m_model != "bitflip"; }
  /// --fault-model's name (bitflip, timing, table, stuck-at).
  const std::string& model_name() const { return m_model; }
  /// A fresh plan (its own fault log) from the options, for `array` (the run's resolved [arch]: a timing
  /// or stuck-at model covers its PEs, the timing model takes its v_nominal and clock_ghz) and the config
  /// file `config_path` (its [voltage] table; "" for none); throws ConfigError
  /// on bad values, or on an option that belongs to another model.
  /// `model_layers`: the model's transformer blocks; a --layers entry past the last one is bad input.
  std::shared_ptr<faults::FaultPlan> make_plan(const arch::ArrayConfig& array, const std::string& config_path,
                                               int model_layers) const;
  /// The fault model's resolved settings as a TOML [faults] table, for traces.
  std::string to_toml(const arch::ArrayConfig& array, const std::string& config_path) const;
  /// ReaLM's clamp applies to the output-word models (bitflip, table), whose faults can be undone.
  bool realm_clamp() const { return !m_no_realm_clamp && m_model != "timing" && m_model != "stuck-at"; }
  std::uint64_t seed() const { return m_seed; }
  /// The array's supply voltage of the campaign (timing, table), or nullopt (bitflip, stuck-at).
  std::optional<double> voltage(const faults::FaultPlan& plan) const { return plan.model().voltage(); }
  /// The array's supply voltage of the campaign: the model's (timing, table), else the run's nominal
  /// supply `array.v_nominal` (a campaign without a voltage runs at nominal).
  static double supply_voltage(const faults::FaultPlan& plan, const arch::ArrayConfig& array) {
    return plan.model().voltage().value_or(array.v_nominal);
  }
  /// One-line description of the campaign, for reports.
  /// `int8_outputs` false (floating-point PEs): ReaLM's clamp of re-quantized outputs does not apply.
  std::string describe(bool int8_outputs = true) const;

 private:
  faults::FaultModelParams params(const arch::ArrayConfig& array, const std::string& config_path) const;
  CLI::App* m_cmd = nullptr;
  std::string m_model = "bitflip";
  std::optional<double> m_voltage;
  std::string m_table;
  double m_ber = 0.0;
  std::optional<int> m_bit;  // --bit; unset: the accumulator's top exponent bit (int32: 30) unless --bit-range
  std::string m_bit_range;
  std::vector<std::string> m_stuck;
  std::string m_stuck_file;
  std::optional<double> m_stuck_fraction;
  std::uint64_t m_seed = 1;
  std::string m_components = "all";
  std::string m_layers = "all";
  std::string m_stage = "both";
  bool m_no_realm_clamp = false;
};

}  // namespace saffire::cli
