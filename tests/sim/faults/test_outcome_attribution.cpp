// Task outcomes tallied by the components and layers their faults struck, against hand-counted tables.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "sim/faults/outcome_attribution.hpp"

namespace saffire::faults {
namespace {

using models::Component;
using models::llm::Outcome;

LoggedFault fault_in(int sequence, Component c, int layer) {
  LoggedFault f;
  f.gemm.sequence = sequence;
  f.gemm.component = c;
  f.gemm.layer = layer;
  return f;
}

TEST_CASE("outcomes counted once per sample under each component and layer its faults struck", "[faults][tasks]") {
  // Samples 0..3; sample 1 ran two sequences (1, 2), sample 2 ran sequence 3, sample 3 ran 4 (no fault).
  const std::vector<Outcome> outcomes = {Outcome::Masked, Outcome::CriticalSdc, Outcome::BenignSdc, Outcome::Masked};
  const std::vector<int> sample_of_sequence = {0, 1, 1, 2, 3};
  const std::vector<LoggedFault> log = {fault_in(0, Component::Q, 0), fault_in(0, Component::Q, 0),
                                        fault_in(1, Component::Q, 1), fault_in(2, Component::Down, 1),
                                        fault_in(3, Component::Down, 0)};
  const OutcomeAttribution a = attribute_outcomes(outcomes, sample_of_sequence, log);
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
  const std::vector<LoggedFault> log = {fault_in(1, Component::Q, 0)};
  CHECK_THROWS_AS(attribute_outcomes(outcomes, sample_of_sequence, log), std::out_of_range);
}

}  // namespace
}  // namespace saffire::faults
