#include "abft/trials/realm_recompute_reference.hpp"

#include <cmath>

#include "abft/trials/abft_trials.hpp"

namespace saffire::abft {
namespace {

struct RealmPoint {
  double ber, p;
};
const std::vector<RealmPoint> kRealmMsdOnly = {{1e-8, 0.009}, {1e-7, 0.11}, {5e-7, 0.47}, {1e-6, 0.71}, {1e-5, 0.996}};
const std::vector<RealmPoint> kRealmStatistical = {{1e-8, 0},     {1e-7, 0},      {5e-7, 0},    {1e-6, 0},  {1e-5, 0},
                                                   {2e-5, 0.042}, {2.5e-5, 0.46}, {3e-5, 0.90}, {4e-5, 1.0}};
constexpr double kRealmClassicHalf = 1.7e-7;  // "1 - exp(-BER * outputs): 50 % near 1.7e-7"

const std::vector<RealmPoint>* points_of(Scheme s) {
  if (s.name() == "approxabft") return &kRealmMsdOnly;
  if (s.name() == "statistical") return &kRealmStatistical;
  return nullptr;
}

}  // namespace

const std::vector<double>& realm_study_bers() {
  static const std::vector<double> bers = {1e-8, 2e-8,   5e-8, 1e-7,   2e-7, 3e-7, 5e-7, 1e-6, 2e-6, 5e-6,
                                           1e-5, 1.5e-5, 2e-5, 2.5e-5, 3e-5, 4e-5, 5e-5, 7e-5, 1e-4};
  return bers;
}

std::optional<double> realm_recompute_at(Scheme scheme, double ber) {
  const std::vector<RealmPoint>* pts = points_of(scheme);
  if (pts == nullptr) return std::nullopt;
  for (const RealmPoint& r : *pts)
    if (std::abs(r.ber - ber) <= 1e-9 * ber) return r.p;
  return std::nullopt;
}

std::optional<double> realm_ber_50(Scheme scheme) {
  if (scheme.name() == "classic") return kRealmClassicHalf;
  const std::vector<RealmPoint>* pts = points_of(scheme);
  if (pts == nullptr) return std::nullopt;
  std::vector<double> b, p;
  for (const RealmPoint& r : *pts) {
    b.push_back(r.ber);
    p.push_back(r.p);
  }
  return ber_at_level(b, p);
}

}  // namespace saffire::abft
