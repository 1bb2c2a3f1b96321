// approxabft: the MSD-only (ApproxABFT-like) baseline of ReaLM (background.md section 2): recompute iff
// log2 MSD > (theta_freq + b) / a. Hardware: classic's checksums + an MSD accumulator, its absolute
// value and one comparator.
#include <cmath>

#include "abft/detect/checksum_hardware.hpp"

namespace saffire::abft {
namespace {

class ApproxAbftPolicy final : public DetectionPolicy {
 public:
  explicit ApproxAbftPolicy(const AbftConfig& cfg) : m_cfg(cfg) {}
  std::string_view name() const override { return "approxabft"; }
  Decision decide(const DetectionInput& in) const override {
    const StatisticalConstants& k = m_cfg.constants_for(in.component);
    Decision d;
    d.msd = matrix_sum_deviation(in.row_deviations);
    d.freq = count_nonzero(in.row_deviations);
    if (d.msd > 0 && std::log2(d.msd) > (k.theta_freq + k.b) / k.a) d.action = Action::Recompute;
    return d;
  }
  std::vector<arch::CostItem> hardware_items(const HardwareContext& ctx) const override {
    arch::BillOfMaterials b;
    const double P = static_cast<double>(ctx.fold.cycles_per_fold);
    add_msd(b, add_checksums(b, ctx, ctx.options.two_sided), P);
    b.add("statistics unit", "32-bit comparator (MSD vs threshold)", arch::Component::Cmp32, 1, 1.0 / P);
    return b.items;
  }
  std::int64_t extra_cycles_per_fold(const arch::ArrayConfig& array, const HardwareOptions& opt) const override {
    return checksum_extra_cycles(array, opt.two_sided);
  }

 private:
  AbftConfig m_cfg;
};

}  // namespace

std::unique_ptr<DetectionPolicy> make_approxabft_policy(const AbftConfig& cfg) {
  return std::make_unique<ApproxAbftPolicy>(cfg);
}

}  // namespace saffire::abft
