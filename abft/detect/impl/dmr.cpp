// dmr: dual modular redundancy: a second PE array computes the same fold and every output is compared;
// any mismatch is recomputed. Its hardware is part of the underscaled array (it runs at the array's V).
#include "abft/detect/detection_policy.hpp"

namespace saffire::abft {
namespace {

class DmrPolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "dmr"; }
  Decision decide(const DetectionInput& in) const override {
    Decision d;
    d.msd = matrix_sum_deviation(in.row_deviations);
    d.freq = in.mismatched_words;
    if (in.mismatched_words > 0) d.action = Action::Recompute;
    return d;
  }
  bool needs_duplicate() const override { return true; }
  bool hardware_at_array_voltage() const override { return true; }
  std::vector<arch::CostItem> hardware_items(const HardwareContext& ctx) const override {
    // A second array computing the same fold, and a comparator on every output at the array's edge
    // (WS: one per column, one output per cycle; OS: one per row, C outputs per drain).
    const double R = ctx.array.rows, C = ctx.array.cols, u = ctx.fold.utilization;
    const double P = static_cast<double>(ctx.fold.cycles_per_fold);
    arch::BillOfMaterials b;
    arch::add_pe_array(b, "duplicate PE array", ctx.array, u, ctx.load.pe_data_activity);
    if (ctx.array.dataflow == arch::Dataflow::WS) {
      b.add("output comparators", "32-bit comparator (one per column)", arch::Component::Cmp32, C, u);
    } else {
      b.add("output comparators", "32-bit comparator (one per row)", arch::Component::Cmp32, R, C / P);
    }
    return b.items;
  }
};

}  // namespace

std::unique_ptr<DetectionPolicy> make_dmr_policy(const AbftConfig&) { return std::make_unique<DmrPolicy>(); }

}  // namespace saffire::abft
