// `recompute`: the scope again on the clean engine (nominal voltage: no timing errors, the checks
// pass). `retry`: first up to max_retries fresh executions at the array's voltage (GemmId::attempt =
// 1, 2, ...), each re-checked and accepted or corrected when the policy says so.
#include "abft/recover/impl/recoveries.hpp"

namespace saffire::abft {
namespace {

void at_nominal(RecoveryContext& ctx, const RecoveryRequest& req) {
  ctx.clean_engine().gemm(req.id, req.region);
  ctx.add(req.id.component, &AbftTotals::nominal, 1);
  ctx.count_recompute(req.id.component, req.region, true);
  req.record->recovered_at_nominal = true;
}

class RecomputeAtNominal final : public RecoveryPolicy {
 public:
  std::string_view name() const override { return "recompute"; }
  void recover(RecoveryContext& ctx, const RecoveryRequest& req) const override {
    ctx.add(req.id.component, &AbftTotals::recomputed, 1);
    at_nominal(ctx, req);
  }
};

class RetryAtSameVoltage final : public RecoveryPolicy {
 public:
  explicit RetryAtSameVoltage(int retries) : m_retries(retries) {}
  std::string_view name() const override { return "retry"; }
  void recover(RecoveryContext& ctx, const RecoveryRequest& req) const override {
    const models::Component c = req.id.component;
    ctx.add(c, &AbftTotals::recomputed, 1);
    for (int attempt = 1; attempt <= m_retries; ++attempt) {
      models::GemmId again = req.id;
      again.attempt = attempt;
      ctx.faulty_engine().gemm(again, req.region);
      ctx.add(c, &AbftTotals::retries, 1);
      ctx.count_recompute(c, req.region, false);
      const Decision d = ctx.recheck(again, req.region);
      ctx.record({again, req.record->tile, attempt, d.action, d.msd, d.theta_mag, d.freq, false});
      if (d.action == Action::Accept) return;
      if (d.action == Action::Correct) {
        apply_corrections(req.region, d.corrections);
        ctx.add(c, &AbftTotals::corrected_words, static_cast<std::int64_t>(d.corrections.size()));
        return;
      }
    }
    at_nominal(ctx, req);
  }

 private:
  int m_retries;
};

}  // namespace

std::unique_ptr<RecoveryPolicy> make_recompute_at_nominal() { return std::make_unique<RecomputeAtNominal>(); }
std::unique_ptr<RecoveryPolicy> make_retry_at_same_voltage(int retries) {
  return std::make_unique<RetryAtSameVoltage>(retries);
}

}  // namespace saffire::abft
