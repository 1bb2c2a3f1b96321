// `drop` (ThUnderVolt's TE-drop): each accumulate its Razor flip-flop flags keeps the old partial sum,
// so the word is the exact one without the flagged products. (For the timing model this ignores that
// the dropped product would have changed which later accumulates fail.)
#include <map>
#include <utility>
#include <vector>

#include "abft/recover/impl/recoveries.hpp"

namespace saffire::abft {
namespace {

std::int32_t dot(const models::Int8GemmArgs& a, std::int64_t m, std::int64_t n) {
  std::uint32_t s = 0;
  for (std::int64_t k = 0; k < a.k; ++k)
    s += static_cast<std::uint32_t>(std::int32_t{a.x[m * a.ldx + k]} * a.w[k * a.ldw + n]);
  return static_cast<std::int32_t>(s);
}

class DropFaultyMacs final : public RecoveryPolicy {
 public:
  std::string_view name() const override { return "drop"; }
  void recover(RecoveryContext& ctx, const RecoveryRequest& req) const override {
    const models::Int8GemmArgs& args = req.gemm;
    const auto inside = [&](std::int64_t m, std::int64_t n) {
      return m >= req.m0 && m < req.m0 + req.region.m && n >= req.n0 && n < req.n0 + req.region.n;
    };
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>> steps;  // word -> failed steps
    for (const auto& [m, n, k] : flagged_accumulates(ctx.plan(), req.id, args))
      if (inside(m, n) && k < args.k) steps[{m, n}].push_back(k);  // k >= K: a pass with no product
    std::int64_t dropped = 0;
    for (const auto& [word, ks] : steps) {
      std::uint32_t v = static_cast<std::uint32_t>(dot(args, word.first, word.second));
      for (std::int64_t k : ks) {
        v -= static_cast<std::uint32_t>(std::int32_t{args.x[word.first * args.ldx + k]} * args.w[k * args.ldw + word.second]);
        ++dropped;
      }
      args.y[word.first * args.ldy + word.second] = static_cast<std::int32_t>(v);
    }
    ctx.add(req.id.component, &AbftTotals::dropped_macs, dropped);
  }
};

}  // namespace

std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> flagged_accumulates(const faults::FaultPlan& plan,
                                                                                      const models::GemmId& id,
                                                                                      const models::Int8GemmArgs& args) {
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> out;
  if (plan.accumulate_level()) {
    for (const faults::LoggedFault& lf : plan.logged_for(id)) out.emplace_back(lf.fault.m, lf.fault.n, lf.step);
  } else {
    for (const arch::OutputFault& f : plan.sample(id, args.m, args.n)) out.emplace_back(f.m, f.n, args.k - 1);
  }
  return out;
}

std::unique_ptr<RecoveryPolicy> make_drop_faulty_macs() { return std::make_unique<DropFaultyMacs>(); }

}  // namespace saffire::abft
