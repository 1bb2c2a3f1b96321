// saffire abft-prob: the recompute probability of each ABFT detection scheme vs BER on one GEMM, as in
// ReaLM's study (OPT-1.3B k_proj, ~2048 x 2048 outputs, one random bit 0..29 per faulty word, 1000
// trials per BER; background.md section 2). The study runs in abft/trials/recompute_study.hpp; this file
// parses the options and prints the table or JSON beside ReaLM's values (realm_recompute_reference.hpp).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <tuple>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/detect/detection_policy.hpp"
#include "arch/config_error.hpp"
#include "abft/trials/abft_trials.hpp"
#include "abft/trials/realm_recompute_reference.hpp"
#include "abft/trials/recompute_study.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/option_checks.hpp"

namespace saffire::cli {
namespace {

struct AbftProbOptions {
  std::int64_t m = 2048, n = 2048, k = 128;
  std::int64_t trials = 1000;
  std::string bers;  // comma list; empty: abft::realm_study_bers()
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
  if (list.empty()) return abft::realm_study_bers();
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

std::string fmt_half(double h, double lo, double hi) {
  if (h < 0) return fmt::format("> {:.3g}", hi);
  if (h == 0) return fmt::format("<= {:.3g}", lo);
  return fmt::format("{:.3g}", h);
}

nlohmann::json half_json(double h) { return h > 0 ? nlohmann::json(h) : nlohmann::json(nullptr); }

struct StudyView {  // what the printers need besides the options
  arch::ArrayConfig array;
  models::Component component;
  abft::StatisticalConstants konst;
  int bit_lo = 0, bit_hi = 0;
  std::vector<double> bers;
  std::vector<abft::Scheme> schemes;
};

void print_json(const AbftProbOptions& o, const StudyView& v, const abft::RecomputeStudyResult& r) {
  const double words = static_cast<double>(o.m) * static_cast<double>(o.n);
  nlohmann::json out;
  out["command"] = "abft-prob";
  out["gemm"] = {{"m", o.m}, {"n", o.n}, {"k", o.k}, {"outputs", o.m * o.n}, {"operand_seed", o.seed}};
  out["array"] = {{"rows", v.array.rows}, {"cols", v.array.cols}, {"dataflow", arch::to_string(v.array.dataflow)}};
  out["row_checks"] = ((o.n + v.array.cols - 1) / v.array.cols) * o.m;
  out["column_checks"] = o.n;
  out["checks"] = o.checks;
  out["component"] = models::to_string(v.component);
  out["constants"] = {
      {"a", v.konst.a}, {"b", v.konst.b}, {"theta_freq", v.konst.theta_freq}, {"line_only", v.konst.line_only}};
  out["abft_config"] = o.abft_config;
  out["bit_lo"] = v.bit_lo;
  out["bit_hi"] = v.bit_hi;
  out["seed"] = o.seed;
  out["trials"] = o.trials;
  out["ci"] = "wilson 95 %";
  nlohmann::json names = nlohmann::json::array();
  for (abft::Scheme s : v.schemes) names.push_back(abft::to_string(s));
  out["schemes"] = names;
  nlohmann::json pts = nlohmann::json::array();
  for (std::size_t b = 0; b < v.bers.size(); ++b) {
    const abft::TrialCounts& c = r.counts[b];
    nlohmann::json per = nlohmann::json::object();
    for (std::size_t s = 0; s < v.schemes.size(); ++s) {
      const abft::Interval ci = abft::wilson_interval(c.policies[s].recompute, c.trials);
      nlohmann::json j = {{"recompute", c.policies[s].recompute},
                          {"corrected", c.policies[s].correct},
                          {"p", r.p[s][b]},
                          {"ci_lo", ci.lo},
                          {"ci_hi", ci.hi}};
      const std::optional<double> realm = abft::realm_recompute_at(v.schemes[s], v.bers[b]);
      j["realm_p"] = realm ? nlohmann::json(*realm) : nlohmann::json(nullptr);
      per[std::string(abft::to_string(v.schemes[s]))] = std::move(j);
    }
    pts.push_back({{"ber", v.bers[b]},
                   {"expected_faults", v.bers[b] * words},
                   {"mean_faults", static_cast<double>(c.faults) / static_cast<double>(c.trials)},
                   {"faulty_trials", c.faulty_trials},
                   {"classic_closed_form", r.classic_closed_form[b]},
                   {"schemes", std::move(per)}});
  }
  out["points"] = std::move(pts);
  nlohmann::json h = nlohmann::json::object();
  for (std::size_t s = 0; s < v.schemes.size(); ++s) {
    const std::optional<double> realm = abft::realm_ber_50(v.schemes[s]);
    h[std::string(abft::to_string(v.schemes[s]))] = {{"ber", half_json(r.ber_50[s])},
                                                     {"below_grid", r.ber_50[s] == 0},
                                                     {"above_grid", r.ber_50[s] < 0},
                                                     {"realm", realm ? nlohmann::json(*realm) : nlohmann::json(nullptr)}};
  }
  out["ber_50"] = std::move(h);
  out["classic_closed_form_ber_50"] = r.classic_closed_form_ber_50;
  out["seconds"] = {{"clean_gemm", r.clean_gemm_seconds}, {"trials", r.trials_seconds}};
  fmt::print("{}\n", out.dump());
}

void print_table(const AbftProbOptions& o, const StudyView& v, const abft::RecomputeStudyResult& r) {
  const double words = static_cast<double>(o.m) * static_cast<double>(o.n);
  const bool cols = o.checks == "rows+cols";
  fmt::print("saffire abft-prob: GEMM {}x{}x{} ({} outputs, seed {}), {} {}x{} ({} row checks of {} columns{}),\n", o.m,
             o.n, o.k, o.m * o.n, o.seed, arch::to_string(v.array.dataflow), v.array.rows, v.array.cols,
             ((o.n + v.array.cols - 1) / v.array.cols) * o.m, v.array.cols,
             cols ? fmt::format(" + {} column checks in the statistic", o.n) : "");
  fmt::print(
      "one flipped bit in {}..{} per faulty word, {} trials per BER, component {} (a {:g}, b {:g}, theta_freq "
      "{:g}{})\n",
      v.bit_lo, v.bit_hi, o.trials, models::to_string(v.component), v.konst.a, v.konst.b, v.konst.theta_freq,
      v.konst.line_only ? ", line only" : "");
  fmt::print("recompute probability, whole-GEMM decision, [95 % Wilson interval]; (ReaLM's value at that BER)\n\n");
  fmt::print("{:>9} {:>10}", "BER", "faults");
  for (abft::Scheme s : v.schemes) fmt::print(" {:>30}", abft::to_string(s));
  fmt::print(" {:>9}\n", "1-(1-p)^mn");
  for (std::size_t b = 0; b < v.bers.size(); ++b) {
    fmt::print("{:>9.3g} {:>10.4g}", v.bers[b], v.bers[b] * words);
    for (std::size_t s = 0; s < v.schemes.size(); ++s) {
      const abft::Interval ci = abft::wilson_interval(r.counts[b].policies[s].recompute, r.counts[b].trials);
      const std::optional<double> realm = abft::realm_recompute_at(v.schemes[s], v.bers[b]);
      std::string cell = fmt::format("{:.3f} [{:.3f},{:.3f}]", r.p[s][b], ci.lo, ci.hi);
      cell += realm ? fmt::format(" ({:.3f})", *realm) : std::string(8, ' ');
      fmt::print(" {:>30}", cell);
    }
    fmt::print(" {:>9.3f}\n", r.classic_closed_form[b]);
  }
  fmt::print("\nBER of 50 % recompute (log-interpolated):\n");
  for (std::size_t s = 0; s < v.schemes.size(); ++s) {
    const std::optional<double> realm = abft::realm_ber_50(v.schemes[s]);
    fmt::print("  {:<16} {:>10}   ReaLM {}\n", abft::to_string(v.schemes[s]),
               fmt_half(r.ber_50[s], v.bers.front(), v.bers.back()),
               realm ? fmt::format("~{:.2g}{}", *realm, v.schemes[s].name() == "approxabft" ? " (MSD-only)" : "")
                     : "-");
  }
  fmt::print("  {:<16} {:>10.3g}   (1 - (1 - BER)^outputs = 1/2)\n", "closed form", r.classic_closed_form_ber_50);
  fmt::print("\ntime: clean GEMM {:.2f} s, {} trials {:.2f} s\n", r.clean_gemm_seconds,
             o.trials * static_cast<std::int64_t>(v.bers.size()), r.trials_seconds);
}

void run_abft_prob(const AbftProbOptions& o) {
  abft::RecomputeStudySpec spec;
  spec.shape = arch::GemmShape{o.m, o.n, o.k};
  try {
    spec.shape.validate();
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
  StudyView v;
  v.bers = parse_bers(o.bers);
  std::tie(v.bit_lo, v.bit_hi) = parse_bit_range(o.bit_range);
  v.array.rows = o.rows;
  v.array.cols = o.cols;
  v.array.dataflow = arch::parse_dataflow(o.dataflow, "--dataflow");
  v.array.validate();
  try {
    v.component = models::parse_component(o.component);
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

  const abft::AbftConfig base = o.abft_config.empty() ? abft::AbftConfig{} : abft::load_abft_config(o.abft_config);
  const abft::StudyPolicies policies =
      abft::checksum_deciding_policies(split_list(o.schemes), base, "abft-prob: --schemes");
  v.schemes = policies.schemes;
  v.konst = base.constants_for(v.component);

  spec.seed = o.seed;
  spec.bers = v.bers;
  spec.trials.array = v.array;
  spec.trials.component = v.component;
  spec.trials.faults.bit_lo = v.bit_lo;
  spec.trials.faults.bit_hi = v.bit_hi;
  spec.trials.trials = o.trials;
  spec.trials.checks = checks;
  spec.trials.threads = o.threads;
  const abft::RecomputeStudyResult r = abft::run_recompute_study(spec, policies.policies);
  if (o.json)
    print_json(o, v, r);
  else
    print_table(o, v, r);
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
  cmd->add_option("--seed", opts->seed, "Campaign seed (operands and faults)")->capture_default_str()->check(unsigned_integer());
  cmd->add_option("--threads", opts->threads, "Host threads (0 = all); results do not depend on it")
      ->capture_default_str()
      ->check(thread_count());
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of the table");
  cmd->callback([opts] { run_abft_prob(*opts); });
}

}  // namespace saffire::cli
