#pragma once
// The recovery implementations the factory lists, and the helpers they share.
#include <cstdint>
#include <memory>
#include <tuple>
#include <vector>

#include "abft/recover/recovery_policy.hpp"

namespace saffire::abft {

std::unique_ptr<RecoveryPolicy> make_correct_in_place();
std::unique_ptr<RecoveryPolicy> make_drop_faulty_macs();
std::unique_ptr<RecoveryPolicy> make_recompute_at_nominal();
std::unique_ptr<RecoveryPolicy> make_retry_at_same_voltage(int retries);

/// Subtracts each correction's deviation (wrap-around) from its word (region coordinates).
void apply_corrections(const models::Int8GemmArgs& region, const std::vector<Correction>& corrections);

/// The accumulates the hardware's Razor flip-flops flag in GEMM `id`: (m, n, k) of every logged
/// accumulate error (accumulate-level models), or of every output-word fault at k = K-1.
std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> flagged_accumulates(const faults::FaultPlan& plan,
                                                                                      const models::GemmId& id,
                                                                                      const models::Int8GemmArgs& args);

}  // namespace saffire::abft
