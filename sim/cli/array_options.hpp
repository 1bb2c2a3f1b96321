#pragma once
// Command-line options shared by the commands that take an array: --config FILE plus one override
// per [arch] field. Overrides win over the file; the file wins over the defaults. [arch] clock_ghz and
// v_nominal are the run's one clock and one nominal supply (the timing model, simulated time, energy).
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "arch/array_config.hpp"

namespace saffire::cli {

class ArrayOptions {
 public:
  /// Registers --config, --size, --rows, --cols, --dataflow, --clock-ghz, --os-drain on `cmd`, and
  /// --v-nominal when `nominal_supply` (the commands that take a supply voltage: eval, generate,
  /// topology; elsewhere the nominal supply would be read and never used).
  void add_to(CLI::App& cmd, bool nominal_supply = false);
  /// Registers --operand-type, --accumulator-type, --output-buffer-type and --fma/--no-fma (the
  /// commands that run the PE's number formats: gemm).
  void add_numeric_types_to(CLI::App& cmd);
  /// The config file (if any) with the command-line overrides applied, validated. `before_overrides`
  /// edits the file's config first (the array of a SCALE-Sim .cfg), so the overrides still win.
  arch::ArrayConfig resolve(const std::function<void(arch::ArrayConfig&)>& before_overrides = {}) const;
  /// The array of a model run whose GEMMs use floating-point operands of `operand` (--precision fp16|bf16|fp8):
  /// resolve() with the PEs' operand type set to `operand` before the overrides (the accumulator stays the
  /// config's or --accumulator-type's floating-point one, FP32 otherwise). ConfigError when --operand-type or the
  /// file's operand_type names another floating-point type (`precision_option` names the option that set it).
  arch::ArrayConfig resolve_with_operand(arch::NumberFormat operand, const std::string& precision_option) const;
  /// The --config file, "" when none was given.
  const std::string& config_path() const { return m_config_path; }

 private:
  std::string m_config_path;
  std::optional<int> m_size, m_rows, m_cols;
  std::optional<std::string> m_dataflow;
  std::optional<double> m_clock_ghz, m_v_nominal;
  bool m_os_drain = false;
  std::optional<std::string> m_operand_type, m_accumulator_type, m_output_buffer_type;
  bool m_fma_flag = false, m_no_fma_flag = false;
};

/// The commands that run a model's INT8 (W8A8) GEMMs (eval, generate) refuse a config whose PEs have
/// other number formats (ConfigError naming arch.operand_type; floating-point PEs: --precision fp16|bf16|fp8).
void require_int8_array(const arch::ArrayConfig& cfg, const char* command);

}  // namespace saffire::cli
