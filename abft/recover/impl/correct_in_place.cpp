// `correct`: classic-correct located one faulty word per check pair; subtract its deviation.
#include "abft/recover/impl/recoveries.hpp"

namespace saffire::abft {
namespace {

class CorrectInPlace final : public RecoveryPolicy {
 public:
  std::string_view name() const override { return "correct"; }
  void recover(RecoveryContext& ctx, const RecoveryRequest& req) const override {
    apply_corrections(req.region, req.decision->corrections);
    ctx.add(req.id.component, &AbftTotals::corrected_words, static_cast<std::int64_t>(req.decision->corrections.size()));
  }
};

}  // namespace

void apply_corrections(const models::Int8GemmArgs& region, const std::vector<Correction>& corrections) {
  for (const Correction& k : corrections) {
    std::int32_t& y = region.y[k.m * region.ldy + k.n];
    y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) - static_cast<std::uint32_t>(k.deviation));
  }
}

std::unique_ptr<RecoveryPolicy> make_correct_in_place() { return std::make_unique<CorrectInPlace>(); }

}  // namespace saffire::abft
