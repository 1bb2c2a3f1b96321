#include "sim/cli/array_options.hpp"

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
  try {
    cfg.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("command line: ") + e.what());
  }
  return cfg;
}

}  // namespace saffire::cli
