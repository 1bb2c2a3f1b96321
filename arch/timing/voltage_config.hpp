#pragma once
// VoltageConfig: the supply-voltage operating point of the array and the parameters of the PE
// accumulator's timing model (alpha-power-law delay, guard band, per-PE process variation).
// Read from the [voltage] table of a TOML config file; see arch/timing/README.md for the model.
//
// The run's nominal supply and clock are not [voltage] keys: they are [arch] v_nominal and clock_ghz
// (ArrayConfig, with --v-nominal and --clock-ghz), one value per run for the timing model, simulated time
// and energy alike. The readers here copy them in from the run's resolved ArrayConfig; a [voltage]
// table that still sets v_nominal or clock_ghz is an error naming the key's new place.
#include <cstdint>
#include <filesystem>
#include <string>

#include "arch/array_config.hpp"

namespace saffire::arch {

struct VoltageConfig {
  double v_nominal = 0.9;       // V, the run's nominal supply (ArrayConfig::v_nominal, [arch]): sign-off point
  double v = 0.9;               // V, operating point (v < v_nominal: underscaling); default: v_nominal
  double vth = 0.35;            // V, threshold voltage of the alpha-power law
  double alpha = 1.3;           // velocity-saturation index of the alpha-power law
  double clock_ghz = 1.0;       // the run's clock (ArrayConfig::clock_ghz, [arch]); the model is normalized to its period
  double guard_band = 0.05;     // the adder's worst path at v_nominal takes (1 - guard_band) of the period
  double sigma = 0.03;          // per-PE relative delay variation: pe_factor = 1 + sigma * N(0, 1)
  std::uint64_t chip_seed = 1;  // selects the chip: the per-PE pe_factor is a pure function of (seed, r, c)

  /// Throws ConfigError naming the field ("voltage.<key>", or "arch.<key>" for v_nominal and clock_ghz)
  /// when a value is out of range.
  void validate() const;
  /// Clock period in picoseconds.
  double period_ps() const { return 1000.0 / clock_ghz; }
};

/// The defaults of a run: v_nominal and clock_ghz from `run` ([arch]), the operating point v at that
/// nominal, the model parameters at their defaults.
VoltageConfig voltage_defaults(const ArrayConfig& run);

/// Reads the [voltage] table of a TOML document (other tables are ignored; a missing table gives
/// voltage_defaults(run)), with v_nominal and clock_ghz from `run`, the run's resolved [arch] (command-line
/// overrides applied). Missing keys keep their defaults (v: run.v_nominal); unknown keys, moved keys
/// (v_nominal, clock_ghz: now in [arch]), wrong types and out-of-range values throw ConfigError naming
/// `origin`, the line and the key ("t.toml:3: voltage.sigma: ...").
VoltageConfig parse_voltage_config(const std::string& toml_text, const std::string& origin, const ArrayConfig& run);
/// Same, with the run's [arch] read from the same document (no command-line overrides).
VoltageConfig parse_voltage_config(const std::string& toml_text, const std::string& origin);

/// Same, from a file.
VoltageConfig load_voltage_config(const std::filesystem::path& path, const ArrayConfig& run);
VoltageConfig load_voltage_config(const std::filesystem::path& path);

/// The config as a TOML [voltage] table (to record the resolved config next to results). v_nominal and
/// clock_ghz are [arch] keys (to_toml(ArrayConfig) writes them); here they appear in a comment only.
std::string to_toml(const VoltageConfig& cfg);

}  // namespace saffire::arch
