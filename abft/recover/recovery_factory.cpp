#include <stdexcept>

#include "abft/recover/impl/recoveries.hpp"

namespace saffire::abft {

std::unique_ptr<RecoveryPolicy> make_recovery(Action action, const AbftConfig& cfg) {
  switch (action) {
    case Action::Correct:
      return make_correct_in_place();
    case Action::DropFaultyMacs:
      return make_drop_faulty_macs();
    case Action::Recompute:
      if (cfg.recover_at == RecoverAt::SameVoltage) return make_retry_at_same_voltage(cfg.max_retries);
      return make_recompute_at_nominal();
    case Action::Accept:
      break;
  }
  throw std::logic_error("make_recovery: an accepted scope needs no recovery");
}

}  // namespace saffire::abft
