#pragma once
// ReaLM's statistical ABFT and the MSD-only (ApproxABFT-like) baseline (background.md section 2).
#include "abft/detect/detection_policy.hpp"

namespace saffire::abft {

/// log2 theta_mag = b - (a - 1) log2 MSD; freq = #|d| > theta_mag; recover iff log2 freq > theta_freq
/// (line_only components: iff freq >= 1).
class StatisticalPolicy final : public DetectionPolicy {
 public:
  explicit StatisticalPolicy(const AbftConfig& cfg) : m_cfg(cfg) {}
  std::string_view name() const override { return "statistical"; }
  Decision decide(const DetectionInput& in) const override;

 private:
  AbftConfig m_cfg;
};

/// Recompute iff log2 MSD > (theta_freq + b) / a.
class ApproxAbftPolicy final : public DetectionPolicy {
 public:
  explicit ApproxAbftPolicy(const AbftConfig& cfg) : m_cfg(cfg) {}
  std::string_view name() const override { return "approxabft"; }
  Decision decide(const DetectionInput& in) const override;

 private:
  AbftConfig m_cfg;
};

}  // namespace saffire::abft
