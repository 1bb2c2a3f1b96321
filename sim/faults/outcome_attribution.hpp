#pragma once
// Task outcomes by where the faults struck (LLMFI reports outcomes per component and layer): each sample's
// outcome counted once under every component and every layer that took at least one of its faults (accumulator
// faults and faulty SRAM words alike: FaultPlan::site_counts, never capped).
#include <array>
#include <cstdint>
#include <map>
#include <span>

#include "models/engine/gemm_id.hpp"
#include "models/llm/task_scoring.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::faults {

struct OutcomeCounts {
  std::array<std::int64_t, models::llm::kNumOutcomes> n{};  // by models::llm::Outcome
  std::int64_t samples() const;
  std::int64_t operator[](models::llm::Outcome o) const { return n[static_cast<std::size_t>(o)]; }
};

struct OutcomeAttribution {
  OutcomeCounts all;         // every sample
  OutcomeCounts untouched;   // samples no fault reached
  std::array<OutcomeCounts, models::kNumComponents> by_component;  // samples with a fault in that component
  std::map<int, OutcomeCounts> by_layer;                           // samples with a fault in that layer
};

/// `outcomes[s]`: sample s's outcome; `sample_of_sequence[q]`: the sample that ran model sequence q (GemmId::sequence);
/// `sites`: the campaign's faults by site (FaultPlan::site_counts). Throws std::out_of_range on a fault of a
/// sequence outside the table.
OutcomeAttribution attribute_outcomes(std::span<const models::llm::Outcome> outcomes,
                                      std::span<const int> sample_of_sequence,
                                      const std::map<FaultSiteKey, std::int64_t>& sites);

}  // namespace saffire::faults
