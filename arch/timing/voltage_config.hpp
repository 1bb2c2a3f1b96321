#pragma once
// VoltageConfig: the supply-voltage operating point of the array and the parameters of the PE
// accumulator's timing model (alpha-power-law delay, guard band, per-PE process variation).
// Read from the [voltage] table of a TOML config file; see arch/timing/README.md for the model.
#include <cstdint>
#include <filesystem>
#include <string>

namespace saffire::arch {

struct VoltageConfig {
  double v_nominal = 0.9;       // V, the voltage the adder was timed at (sign-off point)
  double v = 0.9;               // V, operating point (v < v_nominal: underscaling)
  double vth = 0.35;            // V, threshold voltage of the alpha-power law
  double alpha = 1.3;           // velocity-saturation index of the alpha-power law
  double clock_ghz = 1.0;       // design clock; the model is normalized to its period
  double guard_band = 0.05;     // the adder's worst path at v_nominal takes (1 - guard_band) of the period
  double sigma = 0.03;          // per-PE relative delay variation: pe_factor = 1 + sigma * N(0, 1)
  std::uint64_t chip_seed = 1;  // selects the chip: the per-PE pe_factor is a pure function of (seed, r, c)

  /// Throws ConfigError naming the field ("voltage.<key>") when a value is out of range.
  void validate() const;
  /// Clock period in picoseconds.
  double period_ps() const { return 1000.0 / clock_ghz; }
};

/// Reads the [voltage] table of a TOML document (other tables are ignored; a missing table gives the
/// defaults). Missing keys keep their defaults; unknown keys, wrong types and out-of-range values
/// throw ConfigError naming `origin`, the line and the key ("t.toml:3: voltage.sigma: ...").
VoltageConfig parse_voltage_config(const std::string& toml_text, const std::string& origin);

/// Same, from a file.
VoltageConfig load_voltage_config(const std::filesystem::path& path);

/// The config as a TOML [voltage] table (to record the resolved config next to results).
std::string to_toml(const VoltageConfig& cfg);

}  // namespace saffire::arch
