// thundervolt: ThUnderVolt's Razor-style timing-error detection on every PE accumulator; the flagged
// (faulty) MACs are dropped (TE-drop) instead of recomputing. Its flip-flops run at the array's V.
#include <string>

#include "abft/detect/detection_policy.hpp"

namespace saffire::abft {
namespace {

class ThunderVoltPolicy final : public DetectionPolicy {
 public:
  std::string_view name() const override { return "thundervolt"; }
  Decision decide(const DetectionInput& in) const override {
    Decision d;
    d.msd = matrix_sum_deviation(in.row_deviations);
    d.freq = in.flagged_macs;
    if (in.flagged_macs > 0) d.action = Action::DropFaultyMacs;
    return d;
  }
  bool needs_razor_flags() const override { return true; }
  bool hardware_at_array_voltage() const override { return true; }
  std::vector<arch::CostItem> hardware_items(const HardwareContext& ctx) const override {
    // Razor-style detection on every accumulator bit of every PE: a shadow flip-flop clocked late,
    // an XOR comparing it with the main flip-flop, an OR tree of the 32 flags (31 2-input gates) and,
    // for TE-drop, a 2:1 mux per bit that keeps the previous accumulator value.
    const double pes = static_cast<double>(ctx.array.rows) * ctx.array.cols, u = ctx.fold.utilization;
    const std::string blk = "Razor detection (per PE)";
    arch::BillOfMaterials b;
    b.regs(blk, "shadow flip-flops (32b)", pes, 32);
    b.add(blk, "error-detection XOR (32 per PE)", arch::Component::Xor2, pes * 32, u);
    b.add(blk, "error OR tree (31 gates per PE)", arch::Component::Xor2, pes * 31, u);
    b.add(blk, "TE-drop mux (32 bits per PE)", arch::Component::Mux2, pes * 32, u);
    return b.items;
  }
};

}  // namespace

std::unique_ptr<DetectionPolicy> make_thundervolt_policy(const AbftConfig&) {
  return std::make_unique<ThunderVoltPolicy>();
}

}  // namespace saffire::abft
