// saffire abft-prob: the recompute probability of each ABFT detection scheme vs BER on one GEMM, as in
// ReaLM's study (OPT-1.3B k_proj, ~2048 x 2048 outputs, one random bit 0..29 per faulty word, 1000
// trials per BER; background.md section 2). The clean GEMM (seeded random INT8 operands) runs once;
// each trial samples the faults of (seed, trial), forms the checksum deviations from the flipped
// words' deltas (abft/trials/abft_trials.hpp) and counts the whole-GEMM decisions that are Recompute.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/detect/detection_policy.hpp"
#include "arch/config_error.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "abft/trials/abft_trials.hpp"
#include "sim/cli/commands.hpp"
#include "models/workload/gemm_operands.hpp"

namespace saffire::cli {
namespace {

// A log grid over 1e-8..1e-4 that contains every BER ReaLM reports for this study.
const std::vector<double> kDefaultBers = {1e-8, 2e-8,   5e-8, 1e-7,   2e-7, 3e-7, 5e-7, 1e-6, 2e-6, 5e-6,
                                          1e-5, 1.5e-5, 2e-5, 2.5e-5, 3e-5, 4e-5, 5e-5, 7e-5, 1e-4};

// ReaLM's measured recompute probabilities (background.md section 2: OPT-1.3B k_proj, 1000 trials).
struct RealmPoint {
  double ber, p;
};
const std::vector<RealmPoint> kRealmMsdOnly = {{1e-8, 0.009}, {1e-7, 0.11}, {5e-7, 0.47}, {1e-6, 0.71}, {1e-5, 0.996}};
const std::vector<RealmPoint> kRealmStatistical = {{1e-8, 0},     {1e-7, 0},      {5e-7, 0},    {1e-6, 0},  {1e-5, 0},
                                                   {2e-5, 0.042}, {2.5e-5, 0.46}, {3e-5, 0.90}, {4e-5, 1.0}};
constexpr double kRealmClassicHalf = 1.7e-7;  // "1 - exp(-BER * outputs): 50 % near 1.7e-7"

struct AbftProbOptions {
  std::int64_t m = 2048, n = 2048, k = 128;
  std::int64_t trials = 1000;
  std::string bers;  // comma list; empty: kDefaultBers
  std::string bit_range = "0-29";
  std::string schemes = "classic,approxabft,statistical";
  std::string component = "k";
  std::string abft_config;
  int rows = 256, cols = 256;
  std::string dataflow = "os";
  std::string checks = "rows";
  std::uint64_t seed = 1;
  int threads = 0;
  bool json = false;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

double parse_ber(const std::string& s) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || !(v > 0 && v <= 1))
    throw ConfigError("abft-prob: --ber: expected probabilities in (0, 1], got '" + s + "'");
  return v;
}

std::vector<double> parse_bers(const std::string& list) {
  if (list.empty()) return kDefaultBers;
  std::vector<double> bers;
  for (const std::string& s : split_list(list)) bers.push_back(parse_ber(s));
  if (bers.empty()) throw ConfigError("abft-prob: --ber: empty list");
  if (bers.size() > 1000) throw ConfigError("abft-prob: --ber: at most 1000 values");
  std::sort(bers.begin(), bers.end());
  bers.erase(std::unique(bers.begin(), bers.end()), bers.end());
  return bers;
}

std::pair<int, int> parse_bit_range(const std::string& s) {
  const auto bad = [&] {
    return ConfigError("abft-prob: --bit-range: expected LO-HI or BIT within 0..31, got '" + s + "'");
  };
  const auto parse_int = [&](const std::string& t) {
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 2) throw bad();
    return std::stoi(t);
  };
  const auto dash = s.find('-');
  const int lo = parse_int(dash == std::string::npos ? s : s.substr(0, dash));
  const int hi = dash == std::string::npos ? lo : parse_int(s.substr(dash + 1));
  if (lo > hi || hi > 31) throw bad();
  return {lo, hi};
}

double realm_half(const std::vector<RealmPoint>& pts) {
  std::vector<double> b, p;
  for (const RealmPoint& r : pts) {
    b.push_back(r.ber);
    p.push_back(r.p);
  }
  return abft::ber_at_level(b, p);
}

std::optional<double> realm_at(abft::Scheme s, double ber) {
  const std::vector<RealmPoint>* pts = s.name() == "approxabft"    ? &kRealmMsdOnly
                                       : s.name() == "statistical" ? &kRealmStatistical
                                                                   : nullptr;
  if (pts == nullptr) return std::nullopt;
  for (const RealmPoint& r : *pts)
    if (std::abs(r.ber - ber) <= 1e-9 * ber) return r.p;
  return std::nullopt;
}

std::optional<double> realm_half_for(abft::Scheme s) {
  if (s.name() == "classic") return kRealmClassicHalf;
  if (s.name() == "approxabft") return realm_half(kRealmMsdOnly);
  if (s.name() == "statistical") return realm_half(kRealmStatistical);
  return std::nullopt;
}

std::string fmt_half(double h, double lo, double hi) {
  if (h < 0) return fmt::format("> {:.3g}", hi);
  if (h == 0) return fmt::format("<= {:.3g}", lo);
  return fmt::format("{:.3g}", h);
}

nlohmann::json half_json(double h) { return h > 0 ? nlohmann::json(h) : nlohmann::json(nullptr); }

void run_abft_prob(const AbftProbOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  arch::GemmShape shape{o.m, o.n, o.k};
  try {
    shape.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("abft-prob: ") + e.what());
  }
  constexpr std::int64_t kMaxDim = std::int64_t{1} << 28;
  if (o.m > kMaxDim || o.n > kMaxDim || o.k > kMaxDim || o.m * o.n > kMaxDim || o.m * o.k > 4 * kMaxDim ||
      o.k * o.n > 4 * kMaxDim)
    throw ConfigError("abft-prob: the GEMM is too large (at most 2^28 outputs and 2^30 elements per operand)");
  if (o.trials < 1 || o.trials > 100000000)
    throw ConfigError("abft-prob: --trials must be in [1, 1e8], got " + std::to_string(o.trials));
  if (o.threads < 0) throw ConfigError("abft-prob: --threads must be >= 0");
  const std::vector<double> bers = parse_bers(o.bers);
  const auto [bit_lo, bit_hi] = parse_bit_range(o.bit_range);

  arch::ArrayConfig array;
  array.rows = o.rows;
  array.cols = o.cols;
  array.dataflow = arch::parse_dataflow(o.dataflow, "--dataflow");
  array.validate();

  models::Component component;
  try {
    component = models::parse_component(o.component);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("abft-prob: --component: ") + e.what());
  }
  abft::TrialChecks checks;
  if (o.checks == "rows")
    checks = abft::TrialChecks::Rows;
  else if (o.checks == "rows+cols")
    checks = abft::TrialChecks::RowsAndCols;
  else
    throw ConfigError("abft-prob: --checks: expected rows or rows+cols, got '" + o.checks + "'");

  abft::AbftConfig base = o.abft_config.empty() ? abft::AbftConfig{} : abft::load_abft_config(o.abft_config);
  std::vector<abft::Scheme> schemes;
  std::vector<std::unique_ptr<abft::DetectionPolicy>> owned;
  std::vector<const abft::DetectionPolicy*> policies;
  for (const std::string& s : split_list(o.schemes)) {
    const abft::Scheme sc = abft::Scheme::parse(s, "--schemes");
    if (std::find(schemes.begin(), schemes.end(), sc) != schemes.end()) continue;
    abft::AbftConfig c = base;
    c.scheme = sc;
    owned.push_back(abft::make_detection_policy(c));
    if (!owned.back()->decides_from_checksums()) {
      std::vector<std::string> usable;
      for (abft::Scheme t : abft::all_schemes())
        if (abft::make_detection_policy(t)->decides_from_checksums()) usable.emplace_back(t.name());
      std::string list;
      for (std::size_t i = 0; i < usable.size(); ++i)
        list += (i == 0 ? "" : i + 1 == usable.size() ? " or " : ", ") + usable[i];
      throw ConfigError("abft-prob: --schemes: " + s + " does not decide from checksums; use " + list);
    }
    schemes.push_back(sc);
    policies.push_back(owned.back().get());
  }
  if (schemes.empty()) throw ConfigError("abft-prob: --schemes: empty list");
  const abft::StatisticalConstants& konst = base.constants_for(component);

  // The clean GEMM, once.
  const models::GemmOperands ops = models::random_gemm_operands(shape, o.seed);
  std::vector<std::int32_t> y(static_cast<std::size_t>(o.m * o.n));
  const models::Int8GemmArgs clean{o.m, o.n, o.k, ops.x.data(), o.k, ops.w.data(), o.n, y.data(), o.n, false};
  const auto kernel = models::make_int8_gemm_kernel("auto");
  kernel->run(clean, o.threads);
  const auto t1 = std::chrono::steady_clock::now();

  const double words = static_cast<double>(o.m) * static_cast<double>(o.n);
  std::vector<abft::TrialCounts> counts;
  for (double ber : bers) {
    abft::RecomputeTrialsConfig tc;
    tc.array = array;
    tc.component = component;
    tc.faults.ber = ber;
    tc.faults.bit_lo = bit_lo;
    tc.faults.bit_hi = bit_hi;
    tc.faults.seed = o.seed;
    tc.trials = o.trials;
    tc.checks = checks;
    tc.threads = o.threads;
    counts.push_back(abft::run_recompute_trials(tc, clean, policies));
  }
  const auto t2 = std::chrono::steady_clock::now();
  const double gemm_s = std::chrono::duration<double>(t1 - t0).count();
  const double trials_s = std::chrono::duration<double>(t2 - t1).count();

  const std::size_t ns = schemes.size();
  std::vector<std::vector<double>> p(ns);
  for (std::size_t s = 0; s < ns; ++s)
    for (const abft::TrialCounts& c : counts)
      p[s].push_back(static_cast<double>(c.policies[s].recompute) / static_cast<double>(c.trials));
  std::vector<double> half(ns);
  for (std::size_t s = 0; s < ns; ++s) half[s] = abft::ber_at_level(bers, p[s]);
  std::vector<double> closed;
  for (double ber : bers) closed.push_back(-std::expm1(words * std::log1p(-ber)));
  const double closed_half = -std::expm1(std::log(0.5) / words);  // 1 - (1 - BER)^words = 1/2

  if (o.json) {
    nlohmann::json out;
    out["command"] = "abft-prob";
    out["gemm"] = {{"m", o.m}, {"n", o.n}, {"k", o.k}, {"outputs", o.m * o.n}, {"operand_seed", o.seed}};
    out["array"] = {{"rows", array.rows}, {"cols", array.cols}, {"dataflow", arch::to_string(array.dataflow)}};
    out["row_checks"] = ((o.n + array.cols - 1) / array.cols) * o.m;
    out["column_checks"] = o.n;
    out["checks"] = o.checks;
    out["component"] = models::to_string(component);
    out["constants"] = {
        {"a", konst.a}, {"b", konst.b}, {"theta_freq", konst.theta_freq}, {"line_only", konst.line_only}};
    out["abft_config"] = o.abft_config;
    out["bit_lo"] = bit_lo;
    out["bit_hi"] = bit_hi;
    out["seed"] = o.seed;
    out["trials"] = o.trials;
    out["ci"] = "wilson 95 %";
    nlohmann::json names = nlohmann::json::array();
    for (abft::Scheme s : schemes) names.push_back(abft::to_string(s));
    out["schemes"] = names;
    nlohmann::json pts = nlohmann::json::array();
    for (std::size_t b = 0; b < bers.size(); ++b) {
      const abft::TrialCounts& c = counts[b];
      nlohmann::json per = nlohmann::json::object();
      for (std::size_t s = 0; s < ns; ++s) {
        const abft::Interval ci = abft::wilson_interval(c.policies[s].recompute, c.trials);
        nlohmann::json j = {{"recompute", c.policies[s].recompute},
                            {"corrected", c.policies[s].correct},
                            {"p", p[s][b]},
                            {"ci_lo", ci.lo},
                            {"ci_hi", ci.hi}};
        const std::optional<double> r = realm_at(schemes[s], bers[b]);
        j["realm_p"] = r ? nlohmann::json(*r) : nlohmann::json(nullptr);
        per[std::string(abft::to_string(schemes[s]))] = std::move(j);
      }
      pts.push_back({{"ber", bers[b]},
                     {"expected_faults", bers[b] * words},
                     {"mean_faults", static_cast<double>(c.faults) / static_cast<double>(c.trials)},
                     {"faulty_trials", c.faulty_trials},
                     {"classic_closed_form", closed[b]},
                     {"schemes", std::move(per)}});
    }
    out["points"] = std::move(pts);
    nlohmann::json h = nlohmann::json::object();
    for (std::size_t s = 0; s < ns; ++s) {
      const std::optional<double> r = realm_half_for(schemes[s]);
      h[std::string(abft::to_string(schemes[s]))] = {{"ber", half_json(half[s])},
                                                     {"below_grid", half[s] == 0},
                                                     {"above_grid", half[s] < 0},
                                                     {"realm", r ? nlohmann::json(*r) : nlohmann::json(nullptr)}};
    }
    out["ber_50"] = std::move(h);
    out["classic_closed_form_ber_50"] = closed_half;
    out["seconds"] = {{"clean_gemm", gemm_s}, {"trials", trials_s}};
    fmt::print("{}\n", out.dump());
    return;
  }

  fmt::print("saffire abft-prob: GEMM {}x{}x{} ({} outputs, seed {}), {} {}x{} ({} row checks of {} columns{}),\n", o.m,
             o.n, o.k, o.m * o.n, o.seed, arch::to_string(array.dataflow), array.rows, array.cols,
             ((o.n + array.cols - 1) / array.cols) * o.m, array.cols,
             checks == abft::TrialChecks::RowsAndCols ? fmt::format(" + {} column checks in the statistic", o.n) : "");
  fmt::print(
      "one flipped bit in {}..{} per faulty word, {} trials per BER, component {} (a {:g}, b {:g}, theta_freq "
      "{:g}{})\n",
      bit_lo, bit_hi, o.trials, models::to_string(component), konst.a, konst.b, konst.theta_freq,
      konst.line_only ? ", line only" : "");
  fmt::print("recompute probability, whole-GEMM decision, [95 % Wilson interval]; (ReaLM's value at that BER)\n\n");
  fmt::print("{:>9} {:>10}", "BER", "faults");
  for (abft::Scheme s : schemes) fmt::print(" {:>30}", abft::to_string(s));
  fmt::print(" {:>9}\n", "1-(1-p)^mn");
  for (std::size_t b = 0; b < bers.size(); ++b) {
    fmt::print("{:>9.3g} {:>10.4g}", bers[b], bers[b] * words);
    for (std::size_t s = 0; s < ns; ++s) {
      const abft::Interval ci = abft::wilson_interval(counts[b].policies[s].recompute, counts[b].trials);
      const std::optional<double> r = realm_at(schemes[s], bers[b]);
      std::string cell = fmt::format("{:.3f} [{:.3f},{:.3f}]", p[s][b], ci.lo, ci.hi);
      cell += r ? fmt::format(" ({:.3f})", *r) : std::string(8, ' ');
      fmt::print(" {:>30}", cell);
    }
    fmt::print(" {:>9.3f}\n", closed[b]);
  }
  fmt::print("\nBER of 50 % recompute (log-interpolated):\n");
  for (std::size_t s = 0; s < ns; ++s) {
    const std::optional<double> r = realm_half_for(schemes[s]);
    fmt::print("  {:<16} {:>10}   ReaLM {}\n", abft::to_string(schemes[s]),
               fmt_half(half[s], bers.front(), bers.back()),
               r ? fmt::format("~{:.2g}{}", *r, schemes[s].name() == "approxabft" ? " (MSD-only)" : "") : "-");
  }
  fmt::print("  {:<16} {:>10.3g}   (1 - (1 - BER)^outputs = 1/2)\n", "closed form", closed_half);
  fmt::print("\ntime: clean GEMM {:.2f} s, {} trials {:.2f} s\n", gemm_s,
             o.trials * static_cast<std::int64_t>(bers.size()), trials_s);
}

}  // namespace

void add_abft_prob_command(CLI::App& app) {
  auto opts = std::make_shared<AbftProbOptions>();
  CLI::App* cmd = app.add_subcommand(
      "abft-prob", "Recompute probability of each ABFT detection scheme vs BER on one GEMM (ReaLM's study)");
  cmd->add_option("--m", opts->m, "GEMM rows of X and Y")->capture_default_str();
  cmd->add_option("--n", opts->n, "GEMM columns of W and Y")->capture_default_str();
  cmd->add_option("--k", opts->k, "GEMM reduction dimension")->capture_default_str();
  cmd->add_option("--trials", opts->trials, "Fault trials per BER")->capture_default_str();
  cmd->add_option("--ber", opts->bers,
                  "Comma-separated BERs (per-word fault probability); default a log grid "
                  "1e-8..1e-4 with ReaLM's points");
  cmd->add_option("--bit-range", opts->bit_range, "Flipped bit: LO-HI (uniform) or one BIT, within 0..31")
      ->capture_default_str();
  cmd->add_option("--schemes", opts->schemes,
                  "Comma-separated: none, classic, classic-correct, approxabft, statistical")
      ->capture_default_str();
  cmd->add_option("--component", opts->component, "Component whose statistical constants apply")->capture_default_str();
  cmd->add_option("--abft-config", opts->abft_config,
                  "TOML file with an [abft] table (constants; its scheme is ignored)");
  cmd->add_option("--rows", opts->rows, "PE rows R (WS: the last fold's partial sum)")->capture_default_str();
  cmd->add_option("--cols", opts->cols, "PE columns C (the row checks' column tile)")->capture_default_str();
  cmd->add_option("--dataflow", opts->dataflow, "ws or os")->capture_default_str();
  cmd->add_option("--checks", opts->checks,
                  "Deviations the statistic counts: rows (the modelled hardware) or rows+cols (what-if)")
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Campaign seed (operands and faults)")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Host threads (0 = all); results do not depend on it")
      ->capture_default_str();
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of the table");
  cmd->callback([opts] { run_abft_prob(*opts); });
}

}  // namespace saffire::cli
