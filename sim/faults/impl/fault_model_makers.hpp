#pragma once
// The constructors the factory table lists (one per file in impl/).
#include <memory>

#include "sim/faults/bitflip_fault.hpp"
#include "sim/faults/fault_model_factory.hpp"

namespace saffire::faults {

std::unique_ptr<FaultModel> make_bitflip_model(const FaultModelParams& p);
std::unique_ptr<FaultModel> make_table_model(const FaultModelParams& p);
std::unique_ptr<FaultModel> make_timing_model(const FaultModelParams& p);
std::unique_ptr<FaultModel> make_stuck_at_model(const FaultModelParams& p);

/// The bitflip model of a ready config (also the table model's sampler).
std::unique_ptr<FaultModel> make_bitflip_model(const BitflipConfig& cfg);
/// The timing model of a ready TimingModel.
std::unique_ptr<FaultModel> make_timing_model(std::shared_ptr<const arch::TimingModel> tm);

}  // namespace saffire::faults
