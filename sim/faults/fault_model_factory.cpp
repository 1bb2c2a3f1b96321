#include "sim/faults/fault_model_factory.hpp"

#include "arch/config_error.hpp"
#include "sim/faults/impl/fault_model_makers.hpp"

namespace saffire::faults {

const std::vector<FaultModelEntry>& fault_model_table() {
  static const std::vector<FaultModelEntry> table = {
      {"bitflip", "ReaLM's output-word bit flips: --ber, --bit or --bit-range", {"--ber", "--bit", "--bit-range"},
       make_bitflip_model},
      {"timing", "PE timing errors of the voltage model at --voltage (the rest from --config [voltage])", {"--voltage"},
       make_timing_model},
      {"table", "per-bit flip probabilities of --fault-table at --voltage", {"--voltage", "--fault-table"},
       make_table_model},
      {"stuck-at", "permanent stuck bits: --stuck, --stuck-file or --stuck-fraction", {"--stuck", "--stuck-file", "--stuck-fraction"},
       make_stuck_at_model},
  };
  return table;
}

const FaultModelEntry& fault_model_entry(std::string_view name) {
  std::string valid;
  for (const FaultModelEntry& e : fault_model_table()) {
    if (e.name == name) return e;
    valid += (valid.empty() ? "" : ", ") + std::string(e.name);
  }
  throw ConfigError("--fault-model: unknown model '" + std::string(name) + "' (expected one of: " + valid + ")");
}

std::unique_ptr<FaultModel> make_fault_model(const FaultModelParams& params) {
  return fault_model_entry(params.model).make(params);
}

}  // namespace saffire::faults
