#pragma once
// ReaLM's published recompute probabilities (background.md section 2: OPT-1.3B k_proj, 1000 trials per
// BER), which `saffire abft-prob` prints beside its own: the MSD-only (approxabft) and statistical
// curves, and the classic checksum's 50 % point.
#include <optional>
#include <vector>

#include "abft/detect/scheme.hpp"

namespace saffire::abft {

/// A log grid over 1e-8..1e-4 that contains every BER ReaLM reports for this study.
const std::vector<double>& realm_study_bers();

/// ReaLM's recompute probability of `scheme` at `ber` (relative match 1e-9), if it reports one.
std::optional<double> realm_recompute_at(Scheme scheme, double ber);

/// ReaLM's BER of 50 % recompute for `scheme` (log-interpolated from its points; classic: 1.7e-7).
std::optional<double> realm_ber_50(Scheme scheme);

}  // namespace saffire::abft
