#include "sim/magnitude_fault_engine.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <sstream>

#include "arch/config_error.hpp"
#include "sim/realm_clamp_hook.hpp"

namespace saffire::sim {
namespace {

r123::Philox4x32::key_type philox_key(std::uint64_t seed, std::uint64_t gemm_key) {
  return {{static_cast<std::uint32_t>(seed) ^ static_cast<std::uint32_t>(gemm_key >> 32),
           static_cast<std::uint32_t>(seed >> 32) ^ static_cast<std::uint32_t>(gemm_key)}};
}

// Counter tags keep the permutation's and the sign's draws apart (and apart from bitflip's 0xB17F).
constexpr std::uint32_t kFeistelTag = 0x3A6F;
constexpr std::uint32_t kSignTag = 0x3A65;

bool same_gemm(const models::GemmId& a, const models::GemmId& b) {
  return a.layer == b.layer && a.component == b.component && a.stage == b.stage && a.head == b.head &&
         a.pos_begin == b.pos_begin && a.pos_end == b.pos_end && a.call_index == b.call_index &&
         a.sequence == b.sequence && a.attempt == b.attempt;
}

std::int32_t wrap_add(std::int32_t y, std::int32_t d) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(y) + static_cast<std::uint32_t>(d));
}

}  // namespace

std::string_view to_string(MagnitudeSign s) { return s == MagnitudeSign::Positive ? "positive" : "random"; }

MagnitudeSign parse_magnitude_sign(std::string_view name) {
  if (name == "positive") return MagnitudeSign::Positive;
  if (name == "random") return MagnitudeSign::Random;
  throw ConfigError("unknown error sign '" + std::string(name) + "' (expected positive or random)");
}

std::int64_t MagnitudeFaultConfig::magnitude() const {
  const double m = msd / static_cast<double>(std::max<std::int64_t>(freq, 1));
  if (!(m < 9.0e18)) return std::numeric_limits<std::int64_t>::max();
  return std::llround(m);
}

bool MagnitudeFaultConfig::feasible() const {
  const std::int64_t m = magnitude();
  return m >= 0 && m <= std::numeric_limits<std::int32_t>::max();
}

void MagnitudeFaultConfig::validate() const {
  if (!(msd >= 0) || !std::isfinite(msd)) throw ConfigError("magnitude faults: MSD must be finite and >= 0");
  if (freq < 1) throw ConfigError("magnitude faults: freq must be >= 1, got " + std::to_string(freq));
  if (!feasible())
    throw ConfigError("magnitude faults: an error of MSD/freq = " + std::to_string(msd / static_cast<double>(freq)) +
                      " does not fit in an INT32 word");
}

std::int64_t magnitude_word_index(std::uint64_t seed, std::uint64_t gemm_key, std::int64_t words, std::int64_t i) {
  // A balanced Feistel network on 2h bits (2^(2h) >= words, < 4 words), cycle-walked onto [0, words):
  // a bijection of [0, words), so distinct i give distinct words.
  const auto domain = static_cast<std::uint64_t>(std::max<std::int64_t>(words, 4));
  const int bits = std::bit_width(domain - 1);
  const int h = (bits + 1) / 2;
  const std::uint64_t mask = (std::uint64_t{1} << h) - 1;
  const r123::Philox4x32 rng;
  const auto key = philox_key(seed, gemm_key);
  auto v = static_cast<std::uint64_t>(i);
  do {
    std::uint64_t l = v >> h, r = v & mask;
    for (std::uint32_t round = 0; round < 4; ++round) {
      const r123::Philox4x32::ctr_type c = {
          {static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(r >> 32), round, kFeistelTag}};
      const r123::Philox4x32::ctr_type o = rng(c, key);
      const std::uint64_t f = (static_cast<std::uint64_t>(o.v[1]) << 32 | o.v[0]) & mask;
      const std::uint64_t next = l ^ f;
      l = r;
      r = next;
    }
    v = l << h | r;
  } while (v >= static_cast<std::uint64_t>(words));
  return static_cast<std::int64_t>(v);
}

std::vector<MagnitudeError> magnitude_errors(const MagnitudeFaultConfig& cfg, const models::GemmId& id,
                                             std::int64_t m, std::int64_t n) {
  std::vector<MagnitudeError> out;
  const std::int64_t words = m * n;
  const std::int64_t mag = cfg.magnitude();
  if (words <= 0 || mag <= 0 || !cfg.feasible() || !cfg.targeting.targets(id)) return out;
  const std::uint64_t key = FaultPlan::gemm_key(id);
  const std::int64_t count = std::min(cfg.freq, words);
  out.reserve(static_cast<std::size_t>(count));
  const r123::Philox4x32 rng;
  const auto pkey = philox_key(cfg.seed, key);
  for (std::int64_t i = 0; i < count; ++i) {
    // Every word gets one: no need to permute.
    const std::int64_t w = count == words ? i : magnitude_word_index(cfg.seed, key, words, i);
    auto delta = static_cast<std::int32_t>(mag);
    if (cfg.sign == MagnitudeSign::Random) {
      const r123::Philox4x32::ctr_type c = {
          {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(static_cast<std::uint64_t>(i) >> 32), 0, kSignTag}};
      if ((rng(c, pkey).v[0] & 1u) != 0) delta = -delta;
    }
    out.push_back({w / n, w % n, delta});
  }
  return out;
}

MagnitudeFaultEngine::MagnitudeFaultEngine(std::unique_ptr<models::GemmEngine> inner, const MagnitudeFaultConfig& cfg)
    : m_inner(std::move(inner)), m_cfg(cfg) {
  m_cfg.validate();
}

void MagnitudeFaultEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& args) {
  m_inner->gemm(id, args);
  m_last_id = id;
  m_last = magnitude_errors(m_cfg, id, args.m, args.n);
  if (m_last.empty()) return;
  for (const MagnitudeError& e : m_last) {
    std::int32_t& y = args.y[e.m * args.ldy + e.n];
    y = wrap_add(y, e.delta);
  }
  ++m_totals.gemms;
  m_totals.errors += static_cast<std::int64_t>(m_last.size());
  if (m_cfg.freq > args.m * args.n) ++m_totals.capped_gemms;
}

MagnitudeClampHook::MagnitudeClampHook(const MagnitudeFaultEngine& engine,
                                       models::llm::ActivationGranularity granularity)
    : m_engine(&engine), m_granularity(granularity) {}

void MagnitudeClampHook::after_gemm(const models::llm::QuantizedGemmCall& call) {
  if (!models::llm::output_requantized(call.id.component)) return;
  const std::vector<MagnitudeError>& errors = m_engine->last_errors();
  if (errors.empty() || !same_gemm(call.id, m_engine->last_id())) return;
  const auto& a = call.args;
  // The clean output: the engine's output with every error subtracted.
  m_clean.resize(static_cast<std::size_t>(a.m * a.n));
  for (std::int64_t i = 0; i < a.m; ++i) std::copy_n(a.y + i * a.ldy, a.n, m_clean.data() + i * a.n);
  for (const MagnitudeError& e : errors) {
    std::int32_t& c = m_clean[static_cast<std::size_t>(e.m * a.n + e.n)];
    c = wrap_add(c, static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(e.delta)));
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> words;
  for (const MagnitudeError& e : errors) words.emplace_back(e.m, e.n);
  m_clamped += clamp_to_clean_scale(call, m_clean, m_granularity, words, m_scales);
}

// ---- The critical-region fit ----------------------------------------------------------------------

bool predicted_critical(const CriticalFit& fit, double log2_msd, double log2_freq) {
  if (!fit.ok) return false;
  if (!(log2_freq < fit.a * log2_msd - fit.b)) return false;
  return fit.line_only || log2_freq > fit.theta_freq;
}

CriticalFit fit_critical_region(std::span<const CriticalPoint> points) {
  CriticalFit fit;
  std::vector<CriticalPoint> used;
  for (const CriticalPoint& p : points)
    if (p.use) used.push_back(p);
  if (used.empty()) {
    fit.note = "no usable grid point";
    return fit;
  }
  std::vector<double> ys, xs;
  for (const CriticalPoint& p : used) {
    ys.push_back(p.log2_freq);
    xs.push_back(p.log2_msd);
  }
  const auto unique_sorted = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  unique_sorted(ys);
  unique_sorted(xs);

  // Frequency floor: just below the lowest critical frequency.
  double y_crit = std::numeric_limits<double>::infinity();
  for (const CriticalPoint& p : used)
    if (p.critical) y_crit = std::min(y_crit, p.log2_freq);
  if (!std::isfinite(y_crit)) {
    fit.note = "no critical point in the grid: every (MSD, freq) tried stays within the tolerance";
    return fit;
  }
  const auto it = std::lower_bound(ys.begin(), ys.end(), y_crit);
  if (it == ys.begin()) {
    fit.line_only = true;
    fit.theta_freq = y_crit - (ys.size() > 1 ? (ys[1] - ys[0]) / 2 : 0.5);
  } else {
    fit.theta_freq = (*(it - 1) + y_crit) / 2;
  }

  // Points above the floor: the ones the line has to separate.
  std::vector<CriticalPoint> above;
  for (const CriticalPoint& p : used)
    if (p.log2_freq > fit.theta_freq) above.push_back(p);

  // Diagnostics: per MSD column, the frequency threshold that best separates "critical below" from
  // "tolerated above" (ties: the median of the tied thresholds; outside the column's points: censored).
  for (const double x : xs) {
    std::vector<CriticalPoint> col;
    for (const CriticalPoint& p : above)
      if (p.log2_msd == x) col.push_back(p);
    if (col.empty()) continue;
    std::sort(col.begin(), col.end(), [](const CriticalPoint& l, const CriticalPoint& r) { return l.log2_freq < r.log2_freq; });
    const std::size_t n = col.size();
    std::int64_t critical_above = 0, tolerated_below = 0;
    for (const CriticalPoint& p : col) critical_above += p.critical;
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    std::vector<std::size_t> tied;
    for (std::size_t p = 0; p <= n; ++p) {  // threshold between col[p-1] and col[p]
      if (p > 0) {
        if (col[p - 1].critical) {
          --critical_above;
        } else {
          ++tolerated_below;
        }
      }
      const std::int64_t errors = tolerated_below + critical_above;
      if (errors < best) {
        best = errors;
        tied.clear();
      }
      if (errors == best) tied.push_back(p);
    }
    const std::size_t p = tied[tied.size() / 2];
    if (p == 0) {
      ++fit.columns_none_critical;
    } else if (p == n) {
      ++fit.columns_all_critical;
    } else {
      fit.boundary.emplace_back(x, (col[p - 1].log2_freq + col[p].log2_freq) / 2);
    }
  }

  // The line: a linear separation of the points above the floor. For a slope a, a point is called
  // critical iff b < a x - y, a threshold on c = a x - y; the b that misclassify the fewest points form
  // intervals. Over a in [kMinA, kMaxA] (step kStepA), the (a, b) with the fewest misclassified points
  // form a region of the plane (all lines the grid cannot tell apart); the fit is its centroid under
  // the invariant measure of lines (each a weighted by the length of its b intervals / (1 + a^2)^1.5).
  // Unbounded b intervals (everything on one side) do not count.
  constexpr double kMinA = 0.02, kMaxA = 8.0, kStepA = 0.001;
  if (above.empty()) {
    fit.note = "no grid point above the frequency floor";
    return fit;
  }
  std::int64_t best_errors = std::numeric_limits<std::int64_t>::max();
  double sum_len = 0, sum_a = 0, sum_b = 0, a_lo = 0, a_hi = 0;
  std::vector<std::pair<double, bool>> c(above.size());
  const auto steps = static_cast<std::int64_t>(std::llround((kMaxA - kMinA) / kStepA));
  for (std::int64_t s = 0; s <= steps; ++s) {
    const double a = kMinA + static_cast<double>(s) * kStepA;
    for (std::size_t i = 0; i < above.size(); ++i) c[i] = {a * above[i].log2_msd - above[i].log2_freq, above[i].critical};
    std::sort(c.begin(), c.end());
    // b between c[i-1] and c[i] (i = 1 .. n-1; distinct values): errors = critical with c <= b + tolerated above.
    std::int64_t tolerated_above = 0, critical_below = 0;
    for (const auto& [v, crit] : c) tolerated_above += !crit;
    std::int64_t min_errors = std::numeric_limits<std::int64_t>::max();
    double len = 0, mid_len = 0;
    for (std::size_t i = 1; i < c.size(); ++i) {
      if (c[i - 1].second) {
        ++critical_below;
      } else {
        --tolerated_above;
      }
      if (!(c[i].first > c[i - 1].first)) continue;  // no room for a threshold between equal values
      const std::int64_t errors = critical_below + tolerated_above;
      const double l = c[i].first - c[i - 1].first, mid = (c[i].first + c[i - 1].first) / 2;
      if (errors < min_errors) {
        min_errors = errors;
        len = 0;
        mid_len = 0;
      }
      if (errors == min_errors) {
        len += l;
        mid_len += mid * l;
      }
    }
    if (len <= 0) continue;
    if (min_errors < best_errors) {
      best_errors = min_errors;
      sum_len = sum_a = sum_b = 0;
      a_lo = a;
    }
    if (min_errors == best_errors) {
      // The invariant measure of lines, d(angle) d(distance) = da db / (1 + a^2)^1.5: steep lines, whose
      // b intervals are long only because b is steep, get no extra weight.
      const double w = 1.0 / std::pow(1.0 + a * a, 1.5);
      sum_len += w * len;
      sum_a += w * a * len;
      sum_b += w * mid_len;
      a_hi = a;
    }
  }
  if (!(sum_len > 0)) {
    fit.note = "no line separates critical from tolerated points above the floor (need both kinds)";
    return fit;
  }
  fit.a = sum_a / sum_len;
  fit.b = sum_b / sum_len;
  fit.misclassified = best_errors;
  if (a_lo <= kMinA + kStepA / 2 || a_hi >= kMaxA - kStepA / 2) {
    fit.slope_unbounded = true;
    fit.note = "the grid does not bound the slope (best lines reach a = " + std::to_string(a_lo) + ".." +
               std::to_string(a_hi) + "): widen or refine the grid";
  }
  if (!(fit.a > 0) || !std::isfinite(fit.a) || !std::isfinite(fit.b)) {
    fit.note = "fitted slope a <= 0";
    return fit;
  }
  fit.ok = true;
  std::int64_t right = 0;
  for (const CriticalPoint& p : used) right += predicted_critical(fit, p.log2_msd, p.log2_freq) == p.critical;
  fit.accuracy = static_cast<double>(right) / static_cast<double>(used.size());
  return fit;
}

std::string calibration_toml(std::span<const std::pair<models::Component, abft::StatisticalConstants>> tables,
                             std::span<const std::string> comments) {
  std::ostringstream out;
  out.precision(17);
  for (const std::string& c : comments) {
    std::string line = c;
    std::replace(line.begin(), line.end(), '\n', ' ');
    std::replace(line.begin(), line.end(), '\r', ' ');
    out << "# " << line << "\n";
  }
  out << "[abft]\nscheme = \"statistical\"\n";
  for (const auto& [component, k] : tables) {
    out << "\n[abft.component." << models::to_string(component) << "]\na = " << k.a << "\nb = " << k.b
        << "\ntheta_freq = " << k.theta_freq << "\nline_only = " << (k.line_only ? "true" : "false") << "\n";
  }
  return out.str();
}

}  // namespace saffire::sim
