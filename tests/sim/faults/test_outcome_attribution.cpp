// Task outcomes tallied by the components and layers their faults struck, against hand-counted tables.
#include <catch2/catch.hpp>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <vector>

#include "sim/faults/outcome_attribution.hpp"

namespace saffire::faults {
namespace {

using models::Component;
using models::llm::Outcome;

std::map<FaultSiteKey, std::int64_t> sites_of(std::initializer_list<FaultSiteKey> faults) {
  std::map<FaultSiteKey, std::int64_t> sites;
  for (const FaultSiteKey& f : faults) ++sites[f];
  return sites;
}

TEST_CASE("outcomes counted once per sample under each component and layer its faults struck", "[faults][tasks]") {
  // Samples 0..3; sample 1 ran two sequences (1, 2), sample 2 ran sequence 3, sample 3 ran 4 (no fault).
  const std::vector<Outcome> outcomes = {Outcome::Masked, Outcome::CriticalSdc, Outcome::BenignSdc, Outcome::Masked};
  const std::vector<int> sample_of_sequence = {0, 1, 1, 2, 3};
  const auto sites = sites_of({{0, 0, Component::Q}, {0, 0, Component::Q}, {1, 1, Component::Q},
                               {2, 1, Component::Down}, {3, 0, Component::Down}, {4, 0, Component::K}});
  std::map<FaultSiteKey, std::int64_t> with_zero = sites;
  with_zero[{4, 0, Component::K}] = 0;  // a site with no fault left counts as none
  const OutcomeAttribution a = attribute_outcomes(outcomes, sample_of_sequence, with_zero);
  CHECK(a.all.samples() == 4);
  CHECK(a.all[Outcome::Masked] == 2);
  CHECK(a.all[Outcome::CriticalSdc] == 1);
  CHECK(a.untouched.samples() == 1);
  CHECK(a.untouched[Outcome::Masked] == 1);
  const OutcomeCounts& q = a.by_component[static_cast<std::size_t>(Component::Q)];
  CHECK(q.samples() == 2);  // samples 0 and 1 (two faults in sample 0 count once)
  CHECK(q[Outcome::Masked] == 1);
  CHECK(q[Outcome::CriticalSdc] == 1);
  const OutcomeCounts& down = a.by_component[static_cast<std::size_t>(Component::Down)];
  CHECK(down.samples() == 2);  // samples 1 and 2
  CHECK(down[Outcome::BenignSdc] == 1);
  CHECK(a.by_component[static_cast<std::size_t>(Component::K)].samples() == 0);
  REQUIRE(a.by_layer.size() == 2);
  CHECK(a.by_layer.at(0).samples() == 2);  // samples 0 and 2
  CHECK(a.by_layer.at(1).samples() == 1);  // sample 1, struck twice in layer 1
  CHECK(a.by_layer.at(1)[Outcome::CriticalSdc] == 1);
}

TEST_CASE("a fault outside the run's sequences is an error", "[faults][tasks]") {
  const std::vector<Outcome> outcomes = {Outcome::Masked};
  const std::vector<int> sample_of_sequence = {0};
  CHECK_THROWS_AS(attribute_outcomes(outcomes, sample_of_sequence, sites_of({{1, 0, Component::Q}})), std::out_of_range);
}

}  // namespace
}  // namespace saffire::faults
