#pragma once
// The FaultModel factory: one table of models, each with the command-line options that belong to it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/array_config.hpp"
#include "arch/timing/voltage_config.hpp"
#include "sim/faults/fault_model.hpp"
#include "sim/faults/stuck_at.hpp"

namespace saffire::faults {

/// Everything any model may be built from; each model reads only its own fields.
struct FaultModelParams {
  std::string model = "bitflip";
  std::uint64_t seed = 1;        // campaign seed (fault sampling, random stuck-at PEs)
  arch::ArrayConfig array;       // the PEs a timing or stuck-at model covers
  // bitflip
  double ber = 0;
  int bit_lo = 30, bit_hi = 30;
  // timing (voltage_config, with v = *voltage when given) and table (voltage required)
  std::optional<double> voltage;
  arch::VoltageConfig voltage_config;
  std::filesystem::path table;   // table: CSV voltage,bit,probability
  // stuck-at: the union of the list, the file and the random fraction
  std::vector<StuckBit> stuck;
  std::filesystem::path stuck_file;
  std::optional<double> stuck_fraction;
};

struct FaultModelEntry {
  std::string_view name;
  std::string_view summary;               // one line, for --help
  std::vector<std::string_view> options;  // the model-specific command-line options it takes
  std::unique_ptr<FaultModel> (*make)(const FaultModelParams&);
};

/// The models, in the order --help lists them.
const std::vector<FaultModelEntry>& fault_model_table();
/// The entry of `name`; throws ConfigError listing the valid names.
const FaultModelEntry& fault_model_entry(std::string_view name);
/// Builds params.model; throws ConfigError (naming the option or file) on bad values.
std::unique_ptr<FaultModel> make_fault_model(const FaultModelParams& params);

}  // namespace saffire::faults
