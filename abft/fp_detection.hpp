#pragma once
// Detection decisions on floating-point row checks (abft/fp_checksum.hpp), for the schemes with a
// floating-point form (AbftConfig::validate_for_float):
//   classic: recompute iff a check fires at tolerance c = abft.fp_tolerance (|d| > c tau + the check's own
//     double error, or d not finite);
//   statistical: ReaLM's rule (abft/detect/impl/statistical.cpp) on the residuals, the excess of |d| over
//     that threshold (0 within it), measured in units of u * sum_k |x_ik| sum_j |w_kj| (u the accumulator's
//     unit roundoff): MSD = |sum r|, log2 theta_mag = b - (a - 1) log2 MSD, freq = #|r| > theta_mag,
//     recompute iff log2 freq > theta_freq (line_only: freq >= 1); a non-finite residual always recomputes.
//     The unit makes the residuals independent of the outputs' scale (an INT32 check counts accumulator LSBs,
//     a float check has no fixed LSB); ReaLM's default constants were fitted on INT32 LSBs, so on floating
//     point they are a starting point for a calibration, not a fit.
#include <cstdint>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/detect/detection_policy.hpp"
#include "abft/fp_checksum.hpp"

namespace saffire::abft {

/// The bound model of cfg (fp_bound, fp_lambda) for fp_checksum_deviations.
BoundModel bound_model(const AbftConfig& cfg);

/// The statistical rule's inputs of `checks`: residual / (u * magnitude) per check.
std::vector<double> fp_statistical_residuals(const FpChecksumDeviations& checks, double c);

/// The decision of cfg.scheme (none, classic, statistical; others throw ConfigError naming abft.scheme) on
/// one GEMM's floating-point checks of component `component`. msd and freq as in Decision (classic: freq =
/// checks that fire).
Decision decide_fp(const AbftConfig& cfg, models::Component component, const FpChecksumDeviations& checks);

}  // namespace saffire::abft
