#pragma once
// Policies without statistics (see simple_policies.cpp).
#include "abft/detect/detection_policy.hpp"

namespace saffire::abft {

class NonePolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "none"; }
  Decision decide(const DetectionInput& in) const override;
};

class ClassicPolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "classic"; }
  Decision decide(const DetectionInput& in) const override;
};

class ClassicCorrectPolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "classic-correct"; }
  Decision decide(const DetectionInput& in) const override;
  bool needs_columns() const override { return true; }
};

class DmrPolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "dmr"; }
  Decision decide(const DetectionInput& in) const override;
  bool needs_duplicate() const override { return true; }
};

class ThunderVoltPolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "thundervolt"; }
  Decision decide(const DetectionInput& in) const override;
};

}  // namespace saffire::abft
