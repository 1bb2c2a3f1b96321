// classic: Huang-Abraham row checksums (Y e vs X (W e)), recompute on any nonzero deviation.
// Hardware: the row checksum units (checksum_hardware.cpp); with --two-sided the column checksums too.
#include "abft/detect/checksum_hardware.hpp"

namespace saffire::abft {
namespace {

class ClassicPolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "classic"; }
  Decision decide(const DetectionInput& in) const override {
    Decision d;
    d.msd = matrix_sum_deviation(in.row_deviations);
    d.freq = count_nonzero(in.row_deviations);
    if (d.freq > 0) d.action = Action::Recompute;
    return d;
  }
  std::vector<arch::CostItem> hardware_items(const HardwareContext& ctx) const override {
    arch::BillOfMaterials b;
    add_checksums(b, ctx, ctx.options.two_sided);
    return b.items;
  }
  std::int64_t extra_cycles_per_fold(const arch::ArrayConfig& array, const HardwareOptions& opt) const override {
    return checksum_extra_cycles(array, opt.two_sided);
  }
};

}  // namespace

std::unique_ptr<DetectionPolicy> make_classic_policy(const AbftConfig&) { return std::make_unique<ClassicPolicy>(); }

}  // namespace saffire::abft
