#pragma once
// The recompute-probability study of `saffire abft-prob` (ReaLM's figure: recompute probability vs BER
// of each detection scheme on one GEMM): the clean GEMM once, then run_recompute_trials at every BER,
// the probabilities, their 50 % crossings and the classic closed form 1 - (1 - BER)^outputs.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/detect/detection_policy.hpp"
#include "abft/trials/abft_trials.hpp"
#include "arch/gemm_shape.hpp"

namespace saffire::abft {

/// The policies of `names` (duplicates dropped, order kept) with the constants of `base`. ConfigError
/// naming `option` for an unknown name, an empty list, or a scheme that does not decide from checksums
/// (its message lists the ones that do).
struct StudyPolicies {
  std::vector<Scheme> schemes;
  std::vector<std::unique_ptr<DetectionPolicy>> owned;
  std::vector<const DetectionPolicy*> policies;  // parallel to schemes
};
StudyPolicies checksum_deciding_policies(const std::vector<std::string>& names, const AbftConfig& base,
                                         const char* option);

struct RecomputeStudySpec {
  arch::GemmShape shape;
  std::uint64_t seed = 1;      // operands and faults
  std::vector<double> bers;    // ascending
  RecomputeTrialsConfig trials;  // array, component, bit range, trials, checks, threads (ber and seed set per BER)
};

struct RecomputeStudyResult {
  std::vector<TrialCounts> counts;          // per BER
  std::vector<std::vector<double>> p;       // [scheme][ber]: recompute probability
  std::vector<double> ber_50;               // per scheme: ber_at_level(bers, p[s]) (0 below, -1 above the grid)
  std::vector<double> classic_closed_form;  // per BER: 1 - (1 - BER)^outputs
  double classic_closed_form_ber_50 = 0;    // where that is 1/2
  double clean_gemm_seconds = 0, trials_seconds = 0;
};

/// Runs the study (deterministic for any thread count: see run_recompute_trials).
RecomputeStudyResult run_recompute_study(const RecomputeStudySpec& spec,
                                         const std::vector<const DetectionPolicy*>& policies);

}  // namespace saffire::abft
