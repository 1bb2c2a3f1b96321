#include "abft/trials/recompute_study.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "arch/config_error.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "models/workload/gemm_operands.hpp"

namespace saffire::abft {

StudyPolicies checksum_deciding_policies(const std::vector<std::string>& names, const AbftConfig& base,
                                         const char* option) {
  StudyPolicies out;
  for (const std::string& name : names) {
    const Scheme sc = Scheme::parse(name, option);
    if (std::find(out.schemes.begin(), out.schemes.end(), sc) != out.schemes.end()) continue;
    AbftConfig c = base;
    c.scheme = sc;
    std::unique_ptr<DetectionPolicy> policy = make_detection_policy(c);
    if (!policy->decides_from_checksums()) {
      std::vector<std::string> usable;
      for (Scheme t : all_schemes())
        if (make_detection_policy(t)->decides_from_checksums()) usable.emplace_back(t.name());
      std::string list;
      for (std::size_t i = 0; i < usable.size(); ++i)
        list += (i == 0 ? "" : i + 1 == usable.size() ? " or " : ", ") + usable[i];
      throw ConfigError(std::string(option) + ": " + name + " does not decide from checksums; use " + list);
    }
    out.schemes.push_back(sc);
    out.policies.push_back(policy.get());
    out.owned.push_back(std::move(policy));
  }
  if (out.schemes.empty()) throw ConfigError(std::string(option) + ": empty list");
  return out;
}

RecomputeStudyResult run_recompute_study(const RecomputeStudySpec& spec,
                                         const std::vector<const DetectionPolicy*>& policies) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const arch::GemmShape& s = spec.shape;
  const models::GemmOperands ops = models::random_gemm_operands(s, spec.seed);
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  const models::Int8GemmArgs clean{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false};
  models::make_int8_gemm_kernel("auto")->run(clean, spec.trials.threads);
  const auto t1 = clock::now();

  RecomputeStudyResult r;
  for (const double ber : spec.bers) {
    RecomputeTrialsConfig tc = spec.trials;
    tc.faults.ber = ber;
    tc.faults.seed = spec.seed;
    r.counts.push_back(run_recompute_trials(tc, clean, policies));
  }
  const auto t2 = clock::now();
  r.clean_gemm_seconds = std::chrono::duration<double>(t1 - t0).count();
  r.trials_seconds = std::chrono::duration<double>(t2 - t1).count();

  r.p.resize(policies.size());
  for (std::size_t p = 0; p < policies.size(); ++p) {
    for (const TrialCounts& c : r.counts)
      r.p[p].push_back(static_cast<double>(c.policies[p].recompute) / static_cast<double>(c.trials));
    r.ber_50.push_back(ber_at_level(spec.bers, r.p[p]));
  }
  const double words = static_cast<double>(s.m) * static_cast<double>(s.n);
  for (const double ber : spec.bers) r.classic_closed_form.push_back(-std::expm1(words * std::log1p(-ber)));
  r.classic_closed_form_ber_50 = -std::expm1(std::log(0.5) / words);  // 1 - (1 - BER)^words = 1/2
  return r;
}

}  // namespace saffire::abft
