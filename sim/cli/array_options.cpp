#include "sim/cli/array_options.hpp"

#include <algorithm>

#include "arch/array_config_file.hpp"
#include "arch/config_error.hpp"

namespace saffire::cli {

void ArrayOptions::add_to(CLI::App& cmd, bool nominal_supply) {
  cmd.add_option("--config", m_config_path, "TOML config file with an [arch] table (see experiments/configs/default.toml)");
  cmd.add_option("--size", m_size, "square array: PE rows and columns (overrides the config; --rows/--cols win)");
  cmd.add_option("--rows", m_rows, "PE rows R (overrides the config)");
  cmd.add_option("--cols", m_cols, "PE columns C (overrides the config)");
  cmd.add_option("--dataflow", m_dataflow, "ws or os (overrides the config)");
  cmd.add_option("--clock-ghz", m_clock_ghz, "clock frequency in GHz, the run's one clock (overrides [arch] clock_ghz)");
  if (nominal_supply)
    cmd.add_option("--v-nominal", m_v_nominal,
                   "nominal supply in V: the adder meets the clock there, --voltage below it is underscaled "
                   "(overrides [arch] v_nominal, default 0.9)");
  cmd.add_flag("--os-drain", m_os_drain, "OS: add R cycles per fold to shift the outputs out");
}

void ArrayOptions::add_numeric_types_to(CLI::App& cmd) {
  cmd.add_option("--operand-type", m_operand_type,
                 "multiplier inputs: int8, int16, fp16, bf16, fp8-e4m3, fp8-e5m2 (overrides [arch] operand_type)");
  cmd.add_option("--accumulator-type", m_accumulator_type,
                 "PE accumulator: int32, fp32, fp16, bf16 (overrides [arch] accumulator_type; default int32 for "
                 "integer operands, fp32 for floating-point ones)");
  cmd.add_option("--output-buffer-type", m_output_buffer_type,
                 "where WS adds the folds' partial sums (overrides [arch] output_buffer_type; default the accumulator's)");
  CLI::Option* fma = cmd.add_flag("--fma", m_fma_flag, "fused multiply-add, one rounding per step (the default; overrides [arch] fma)");
  cmd.add_flag("--no-fma", m_no_fma_flag, "multiply, then add: the product is rounded too (overrides [arch] fma)")->excludes(fma);
}

arch::ArrayConfig ArrayOptions::resolve(const std::function<void(arch::ArrayConfig&)>& before_overrides) const {
  arch::ArrayConfig cfg = m_config_path.empty() ? arch::ArrayConfig{} : arch::load_array_config(m_config_path);
  if (before_overrides) before_overrides(cfg);
  if (m_size) cfg.rows = cfg.cols = *m_size;
  if (m_rows) cfg.rows = *m_rows;
  if (m_cols) cfg.cols = *m_cols;
  if (m_dataflow) cfg.dataflow = arch::parse_dataflow(*m_dataflow, "--dataflow");
  if (m_clock_ghz) cfg.clock_ghz = *m_clock_ghz;
  if (m_v_nominal) cfg.v_nominal = *m_v_nominal;
  if (m_os_drain) cfg.os_drain = true;
  const auto format = [](const std::optional<std::string>& text, const char* option) -> std::optional<arch::NumberFormat> {
    if (!text) return std::nullopt;
    return arch::parse_number_format(*text, option);
  };
  if (m_operand_type || m_accumulator_type || m_output_buffer_type)
    arch::set_numeric_types(cfg, format(m_operand_type, "--operand-type"),
                            format(m_accumulator_type, "--accumulator-type"),
                            format(m_output_buffer_type, "--output-buffer-type"));
  if (m_fma_flag) cfg.numerics.fma = true;
  if (m_no_fma_flag) cfg.numerics.fma = false;
  if (m_operand_type || m_accumulator_type || m_output_buffer_type) {
    try {
      cfg.numerics.validate("arch.");
    } catch (const ConfigError& e) {
      // Name the option the user typed next to the key it sets.
      std::string msg = e.what();
      for (const char* key : {"operand_type", "accumulator_type", "output_buffer_type"}) {
        const std::string k = std::string("arch.") + key;
        if (msg.rfind(k, 0) == 0) {
          std::string option = std::string("--") + key;
          std::replace(option.begin(), option.end(), '_', '-');
          msg = option + " (" + k + ")" + msg.substr(k.size());
        }
      }
      throw ConfigError("command line: " + msg);
    }
  }
  try {
    cfg.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("command line: ") + e.what());
  }
  return cfg;
}

arch::ArrayConfig ArrayOptions::resolve_with_operand(arch::NumberFormat operand,
                                                    const std::string& precision_option) const {
  const std::string name(arch::to_string(operand));
  if (m_operand_type && arch::parse_number_format(*m_operand_type, "--operand-type") != operand)
    throw ConfigError("command line: --operand-type " + *m_operand_type + " contradicts " + precision_option +
                      ", which sets the PEs' operand type to " + name);
  return resolve([&](arch::ArrayConfig& cfg) {
    const arch::NumberFormat given = cfg.numerics.operand;
    if (arch::info(given).is_float && given != operand)
      throw ConfigError(m_config_path + ": arch.operand_type = " + std::string(arch::to_string(given)) +
                        " contradicts " + precision_option + " (operand type " + name + ")");
    arch::set_numeric_types(cfg, operand, std::nullopt, std::nullopt);
  });
}

void require_int8_array(const arch::ArrayConfig& cfg, const char* command) {
  if (cfg.numerics.is_int8()) return;
  throw ConfigError(std::string("arch.operand_type: ") + command + " runs the model's INT8 (w8a8) or FP32 GEMMs; this " +
                    "config's PEs are " + arch::describe(cfg.numerics) +
                    " (a model on floating-point PEs: --precision fp16|bf16|fp8)");
}

}  // namespace saffire::cli
