#include "sim/faults/outcome_attribution.hpp"

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace saffire::faults {

std::int64_t OutcomeCounts::samples() const {
  std::int64_t s = 0;
  for (const std::int64_t v : n) s += v;
  return s;
}

OutcomeAttribution attribute_outcomes(std::span<const models::llm::Outcome> outcomes,
                                      std::span<const int> sample_of_sequence,
                                      const std::map<FaultSiteKey, std::int64_t>& sites) {
  // Per sample: the components (bit mask) and layers its faults struck.
  std::vector<unsigned> components(outcomes.size(), 0u);
  std::vector<std::set<int>> layers(outcomes.size());
  for (const auto& [site, count] : sites) {
    if (count == 0) continue;
    const auto q = static_cast<std::size_t>(site.sequence);
    if (site.sequence < 0 || q >= sample_of_sequence.size())
      throw std::out_of_range("attribute_outcomes: a fault in sequence " + std::to_string(site.sequence) +
                              ", outside the run's " + std::to_string(sample_of_sequence.size()) + " sequences");
    const auto s = static_cast<std::size_t>(sample_of_sequence[q]);
    if (s >= outcomes.size()) throw std::out_of_range("attribute_outcomes: sequence table names a sample past the last");
    components[s] |= 1u << static_cast<unsigned>(site.component);
    layers[s].insert(site.layer);
  }
  OutcomeAttribution a;
  for (std::size_t s = 0; s < outcomes.size(); ++s) {
    const auto o = static_cast<std::size_t>(outcomes[s]);
    ++a.all.n[o];
    if (components[s] == 0) ++a.untouched.n[o];
    for (int c = 0; c < models::kNumComponents; ++c)
      if ((components[s] >> c) & 1u) ++a.by_component[static_cast<std::size_t>(c)].n[o];
    for (const int l : layers[s]) ++a.by_layer[l].n[o];
  }
  return a;
}

}  // namespace saffire::faults
