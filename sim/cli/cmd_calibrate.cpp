// saffire calibrate: fits ReaLM's statistical-ABFT constants (a, b, theta_freq) for one component of a
// model from an MSD x frequency sweep (background.md section 2, issue 5): at every grid point
// (log2 MSD, log2 freq), every targeted GEMM gets freq errors of magnitude MSD/freq
// (sim/faults/magnitude_fault_engine.hpp), the W8A8 perplexity is measured, and the point is critical when
// the PPL rises by more than --tolerance over the clean run. The critical region's boundary
// log2 freq = a * log2 MSD - b and the frequency floor theta_freq are fitted
// (abft::fit_critical_region) and written as an [abft.component.<name>] table.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "arch/config_error.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/perplexity.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine_factory.hpp"
#include "abft/calibrate/critical_region.hpp"
#include "sim/faults/magnitude_fault_engine.hpp"

namespace saffire::cli {
namespace {

// ReaLM's constants for linear layers (fitted on OPT-1.3B k_proj), background.md section 2.
constexpr double kRealmA = 1.273, kRealmB = 20.076, kRealmThetaFreq = 5.951;

struct CalibrateOptions {
  std::string model, tokenizer, text;
  std::string component = "k";
  std::string layers = "all";
  int paragraphs = 20;
  int ctx = 128;
  double msd_from = 10, msd_to = 34, msd_step = 2;
  double freq_from = 0, freq_to = 14, freq_step = 1;
  double tolerance = 0.3;
  std::uint64_t seed = 1;
  std::string sign = "positive";
  bool no_realm_clamp = false;
  std::string engine = "cpu";
  std::string kernel = "auto";
  int jobs = 0;
  std::string out, points;
  bool json = false;
};

struct GridPoint {
  double log2_msd = 0, log2_freq = 0;
  double msd = 0;
  std::int64_t freq = 0, magnitude = 0;
  std::string status;  // ok, capped, zero, rounded, infeasible
  bool used = false;   // enters the fit
  double ppl = 0, degradation = 0;
  bool critical = false;
  faults::MagnitudeTotals totals;
  std::int64_t clamped = 0;
};

std::vector<double> axis(double from, double to, double step, const char* what) {
  if (!(step > 0) || !std::isfinite(from) || !std::isfinite(to) || to < from)
    throw ConfigError(fmt::format("--{}-from/--{}-to/--{}-step: expected from <= to and step > 0", what, what, what));
  const auto n = static_cast<std::int64_t>(std::floor((to - from) / step + 1e-9)) + 1;
  if (n > 1000) throw ConfigError(fmt::format("--{}: {} grid values, at most 1000", what, n));
  std::vector<double> v;
  for (std::int64_t i = 0; i < n; ++i) v.push_back(from + static_cast<double>(i) * step);
  return v;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string fmt_num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : std::string("inf"); }

void run_calibrate(const CalibrateOptions& o) {
  namespace llm = models::llm;
  const auto t0 = std::chrono::steady_clock::now();
  models::Component component;
  try {
    component = models::parse_component(o.component);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("--component: ") + e.what());
  }
  const faults::MagnitudeSign sign = faults::parse_magnitude_sign(o.sign);
  if (!(o.tolerance >= 0) || !std::isfinite(o.tolerance)) throw ConfigError("--tolerance: expected a number >= 0");
  const std::vector<double> xs = axis(o.msd_from, o.msd_to, o.msd_step, "msd");
  const std::vector<double> ys = axis(o.freq_from, o.freq_to, o.freq_step, "freq");
  if (o.msd_from < 0 || o.msd_to > 62) throw ConfigError("--msd-from/--msd-to: log2 MSD must lie in [0, 62]");
  if (o.freq_from < 0 || o.freq_to > 40) throw ConfigError("--freq-from/--freq-to: log2 freq must lie in [0, 40]");

  const llm::LanguageModel lm = llm::load_language_model(o.model, o.tokenizer);
  const auto text_path = llm::resolve_model_file(llm::kDefaultTextFile, o.text);
  const std::string text = llm::read_file(text_path);
  const llm::LlamaConfig& mc = lm.checkpoint.config();
  if (o.ctx > mc.seq_len)
    throw ConfigError(fmt::format("--ctx {} exceeds the model's context of {}", o.ctx, mc.seq_len));

  faults::FaultTargeting targeting;
  targeting.components.reset();
  targeting.components.set(static_cast<std::size_t>(component));
  if (o.layers != "all") {
    for (const std::string& l : split_list(o.layers)) {
      std::size_t used = 0;
      int v = -1;
      try {
        v = std::stoi(l, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != l.size() || v < 0 || v >= mc.n_layers)
        throw ConfigError(fmt::format("--layers: expected all or layer numbers 0..{}, got '{}'", mc.n_layers - 1, l));
      targeting.layers.insert(v);
    }
    if (targeting.layers.empty()) throw ConfigError("--layers: empty list");
  }

  llm::InferenceOptions inf;
  inf.precision = llm::Precision::W8A8;
  sim::EngineOptions eo;
  eo.kernel = o.kernel;
  eo.threads = 1;  // parallelism is across grid points
  const auto make_engine = [&]() {
    try {
      return sim::make_gemm_engine(o.engine, eo);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }
  };
  llm::PerplexityOptions po;
  po.ctx = o.ctx;
  po.paragraphs = o.paragraphs;

  // The grid: every point's status is known before any evaluation.
  std::vector<GridPoint> grid;
  for (const double y : ys) {
    for (const double x : xs) {
      GridPoint g;
      g.log2_msd = x;
      g.msd = std::exp2(x);
      g.freq = std::llround(std::exp2(y));
      g.log2_freq = std::log2(static_cast<double>(g.freq));
      faults::MagnitudeFaultConfig cfg;
      cfg.msd = g.msd;
      cfg.freq = g.freq;
      g.magnitude = cfg.magnitude();
      if (!cfg.feasible()) {
        g.status = "infeasible";  // MSD/freq does not fit in an INT32 word
      } else if (g.magnitude == 0) {
        g.status = "zero";  // MSD/freq rounds to 0: nothing to inject
      } else if (std::abs(static_cast<double>(g.magnitude * g.freq) - g.msd) > 0.1 * g.msd) {
        g.status = "rounded";  // rounding MSD/freq moves the MSD by more than 10 %: run, not fitted
      } else {
        g.status = "ok";
      }
      grid.push_back(g);
    }
  }

  const bool show_progress = !o.json && isatty(fileno(stderr)) != 0;
  std::int64_t to_run = 0;
  for (const GridPoint& g : grid) to_run += g.status == "ok" || g.status == "rounded";

  // The clean run.
  std::unique_ptr<models::GemmEngine> clean_engine = make_engine();
  llm::Transformer clean_model(lm.checkpoint, inf, clean_engine.get());
  const llm::PerplexityResult clean = llm::evaluate_perplexity(clean_model, lm.tokenizer, text, po);

  // The faulty runs, grid points spread over worker threads (each point its own engines and model).
  int jobs = o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(jobs, to_run)));
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> done{0};
  std::mutex mutex;
  std::exception_ptr error;
  const auto worker = [&]() {
    try {
      for (std::size_t i = next++; i < grid.size(); i = next++) {
        GridPoint& g = grid[i];
        if (g.status != "ok" && g.status != "rounded") continue;
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (error) return;
        }
        faults::MagnitudeFaultConfig cfg;
        cfg.msd = g.msd;
        cfg.freq = g.freq;
        cfg.sign = sign;
        cfg.seed = o.seed;
        cfg.targeting = targeting;
        faults::MagnitudeFaultEngine engine(make_engine(), cfg);
        llm::Transformer model(lm.checkpoint, inf, &engine);
        faults::MagnitudeClampHook clamp(engine, inf.quant.activations);
        if (!o.no_realm_clamp) model.set_hook(&clamp);
        const llm::PerplexityResult r = llm::evaluate_perplexity(model, lm.tokenizer, text, po);
        g.ppl = r.ppl;
        g.degradation = r.ppl - clean.ppl;
        g.critical = !std::isfinite(r.ppl) || g.degradation > o.tolerance;
        g.totals = engine.totals();
        g.clamped = clamp.clamped();
        // Mostly capped: the point is really at a lower frequency (and MSD) than its grid position.
        if (g.status == "ok" && 2 * g.totals.capped_gemms > g.totals.gemms) g.status = "capped";
        g.used = g.status == "ok";
        const std::int64_t d = ++done;
        if (show_progress) {
          std::lock_guard<std::mutex> lock(mutex);
          fmt::print(stderr, "\rcalibrate {}: {}/{} grid points", o.component, d, to_run);
          if (d == to_run) fmt::print(stderr, "\n");
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);

  std::vector<abft::CriticalPoint> pts;
  for (const GridPoint& g : grid) pts.push_back({g.log2_msd, g.log2_freq, g.critical, g.used});
  const abft::CriticalFit fit = abft::fit_critical_region(pts);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  int counts[5] = {0, 0, 0, 0, 0};  // ok, capped, rounded, zero, infeasible
  std::int64_t critical = 0;
  for (const GridPoint& g : grid) {
    const char* names[5] = {"ok", "capped", "rounded", "zero", "infeasible"};
    for (int s = 0; s < 5; ++s) counts[s] += g.status == names[s];
    critical += g.critical;
  }

  if (!o.points.empty()) {
    std::ofstream csv(o.points);
    if (!csv) throw ConfigError("--points: cannot write " + o.points);
    csv << "component,log2_msd,log2_freq,msd,freq,magnitude,status,used,ppl,ppl_clean,degradation,critical,"
           "predicted_critical,errors,gemms,capped_gemms,clamped\n";
    for (const GridPoint& g : grid) {
      const bool ran = g.status == "ok" || g.status == "capped" || g.status == "rounded";
      csv << o.component << ',' << fmt_num(g.log2_msd) << ',' << fmt_num(g.log2_freq) << ',' << fmt_num(g.msd) << ','
          << g.freq << ',' << g.magnitude << ',' << g.status << ',' << (g.used ? 1 : 0) << ','
          << (ran ? fmt::format("{:.17g}", g.ppl) : std::string()) << ',' << fmt::format("{:.17g}", clean.ppl) << ','
          << (ran ? fmt::format("{:.17g}", g.degradation) : std::string()) << ',' << (g.critical ? 1 : 0) << ','
          << (abft::predicted_critical(fit, g.log2_msd, g.log2_freq) ? 1 : 0) << ',' << g.totals.errors << ','
          << g.totals.gemms << ',' << g.totals.capped_gemms << ',' << g.clamped << '\n';
    }
    if (!csv) throw std::runtime_error("--points: write to " + o.points + " failed");
  }

  const std::string layers_desc = o.layers;
  if (!o.out.empty() && fit.ok) {
    const abft::StatisticalConstants k{fit.a, fit.b, fit.theta_freq, fit.line_only};
    const std::pair<models::Component, abft::StatisticalConstants> table{component, k};
    const std::vector<std::string> comments = {
        fmt::format("saffire calibrate {}: ReaLM statistical-ABFT constants of component {} of {}", SAFFIRE_VERSION,
                    o.component, lm.model_path.filename().string()),
        fmt::format("layers {}, {} paragraphs of {} (ctx {}), W8A8 on {}, clean PPL {:.6f}", layers_desc,
                    clean.paragraphs, text_path.filename().string(), o.ctx, o.engine, clean.ppl),
        fmt::format("grid log2 MSD {}..{} step {} x log2 freq {}..{} step {}; critical: PPL > clean + {}",
                    fmt_num(o.msd_from), fmt_num(o.msd_to), fmt_num(o.msd_step), fmt_num(o.freq_from),
                    fmt_num(o.freq_to), fmt_num(o.freq_step), fmt_num(o.tolerance)),
        fmt::format("errors: sign {}, seed {}, realm clamp {}", o.sign, o.seed, o.no_realm_clamp ? "off" : "on"),
        fmt::format("fit: linear separation (centroid of the best lines), {:.1f} % of {} fitted points classified as "
                    "measured{}",
                    100.0 * fit.accuracy, counts[0], fit.note.empty() ? "" : "; " + fit.note)};
    std::ofstream f(o.out);
    if (!f) throw ConfigError("--out: cannot write " + o.out);
    f << abft::calibration_toml({&table, 1}, comments);
    if (!f) throw std::runtime_error("--out: write to " + o.out + " failed");
  }

  if (o.json) {
    nlohmann::json points = nlohmann::json::array();
    for (const GridPoint& g : grid) {
      nlohmann::json p = {{"log2_msd", g.log2_msd}, {"log2_freq", g.log2_freq}, {"freq", g.freq},
                          {"magnitude", g.magnitude}, {"status", g.status}, {"used", g.used},
                          {"critical", g.critical}, {"errors", g.totals.errors}, {"gemms", g.totals.gemms},
                          {"capped_gemms", g.totals.capped_gemms}, {"clamped", g.clamped}};
      if (g.status == "ok" || g.status == "capped" || g.status == "rounded") {
        p["ppl"] = std::isfinite(g.ppl) ? nlohmann::json(g.ppl) : nlohmann::json(nullptr);
        p["degradation"] = std::isfinite(g.degradation) ? nlohmann::json(g.degradation) : nlohmann::json(nullptr);
      }
      points.push_back(p);
    }
    nlohmann::json boundary = nlohmann::json::array();
    for (const auto& [x, y] : fit.boundary) boundary.push_back({x, y});
    nlohmann::json j = {
        {"component", o.component},
        {"layers", o.layers},
        {"model", lm.model_path.string()},
        {"text", text_path.string()},
        {"paragraphs", clean.paragraphs},
        {"ctx", o.ctx},
        {"tokens_per_point", clean.tokens_processed},
        {"engine", o.engine},
        {"sign", o.sign},
        {"seed", o.seed},
        {"realm_clamp", !o.no_realm_clamp},
        {"tolerance", o.tolerance},
        {"ppl_clean", clean.ppl},
        {"grid", {{"log2_msd", xs}, {"log2_freq", ys}}},
        {"counts", {{"ok", counts[0]}, {"capped", counts[1]}, {"rounded", counts[2]}, {"zero", counts[3]},
                    {"infeasible", counts[4]}, {"critical", critical}}},
        {"fit", {{"ok", fit.ok}, {"a", fit.a}, {"b", fit.b}, {"theta_freq", fit.theta_freq},
                 {"line_only", fit.line_only}, {"slope_unbounded", fit.slope_unbounded}, {"misclassified", fit.misclassified}, {"boundary", boundary},
                 {"columns_all_critical", fit.columns_all_critical},
                 {"columns_none_critical", fit.columns_none_critical}, {"accuracy", fit.accuracy},
                 {"note", fit.note}}},
        {"realm", {{"a", kRealmA}, {"b", kRealmB}, {"theta_freq", kRealmThetaFreq}}},
        {"points", points},
        {"jobs", jobs},
        {"seconds", seconds}};
    if (!o.out.empty() && fit.ok) j["out"] = o.out;
    if (!o.points.empty()) j["points_csv"] = o.points;
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print("saffire calibrate: component {} of {}, layers {}, {} paragraphs (ctx {}), {} tokens per point\n",
               o.component, lm.model_path.filename().string(), o.layers, clean.paragraphs, o.ctx,
               clean.tokens_processed);
    fmt::print("  clean PPL        {:.4f} (W8A8 on {}); critical: PPL > clean + {}\n", clean.ppl, o.engine,
               fmt_num(o.tolerance));
    fmt::print("  errors           freq per targeted GEMM, magnitude MSD/freq, sign {}, seed {}, realm clamp {}\n",
               o.sign, o.seed, o.no_realm_clamp ? "off" : "on");
    fmt::print("  grid             {} x {} = {} points: {} fitted, {} capped, {} rounded, {} zero, {} infeasible\n",
               xs.size(), ys.size(), grid.size(), counts[0], counts[1], counts[2], counts[3], counts[4]);
    fmt::print("  map              X critical, . tolerated, x/o critical/tolerated but not fitted, blank not run\n");
    for (std::size_t yi = ys.size(); yi-- > 0;) {
      std::string row = fmt::format("  {:>6} |", fmt_num(ys[yi]));
      for (std::size_t xi = 0; xi < xs.size(); ++xi) {
        const GridPoint& g = grid[yi * xs.size() + xi];
        const bool ran = g.status == "ok" || g.status == "capped" || g.status == "rounded";
        const char c = !ran ? (g.status == "zero" ? '.' : ' ') : g.used ? (g.critical ? 'X' : '.') : (g.critical ? 'x' : 'o');
        row += fmt::format("{:>4}", c);
      }
      fmt::print("{}\n", row);
    }
    // Labels right-aligned under their columns, every stride-th column so that they stay apart.
    std::size_t widest = 0;
    for (const double x : xs) widest = std::max(widest, fmt_num(x).size());
    const std::size_t stride = (widest + 1 + 3) / 4;
    std::string labels(4 * xs.size(), ' ');
    for (std::size_t xi = 0; xi < xs.size(); xi += stride) {
      const std::string l = fmt_num(xs[xi]);
      labels.replace(4 * xi + 4 - l.size(), l.size(), l);
    }
    const std::string axis_row = "  log2 MSD " + labels;
    fmt::print("  {:>6} +{}\n{}\n", "", std::string(4 * xs.size(), '-'), axis_row);
    if (fit.ok) {
      fmt::print("  fit              log2 freq = {:.4f} * log2 MSD - {:.4f}; theta_freq {:.4f}{}\n", fit.a, fit.b,
                 fit.theta_freq, fit.line_only ? " (line only: critical down to one error)" : "");
      fmt::print("                   {:.1f} % of fitted points classified as measured ({} on the wrong side of the "
                 "best lines), {} boundary columns{}\n",
                 100.0 * fit.accuracy, fit.misclassified, fit.boundary.size(), fit.note.empty() ? "" : "; " + fit.note);
    } else {
      fmt::print("  fit              none: {}\n", fit.note);
    }
    fmt::print("  ReaLM            a {}, b {}, theta_freq {} (OPT-1.3B k_proj)\n", kRealmA, kRealmB, kRealmThetaFreq);
    if (!o.out.empty() && fit.ok) fmt::print("  config           {}\n", o.out);
    if (!o.points.empty()) fmt::print("  points           {}\n", o.points);
    fmt::print("  runtime          {:.1f} s ({} points run on {} threads)\n", seconds, to_run, jobs);
  }
  if (!o.out.empty() && !fit.ok) throw std::runtime_error("--out " + o.out + " not written: no fit (" + fit.note + ")");
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Fit ReaLM's statistical-ABFT constants (a, b, theta_freq) of a component from an MSD x freq sweep");
  cmd->add_option("--model", o->model, "checkpoint; default stories260K.bin in the model dir");
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.bin; default tok512.bin in the model dir");
  cmd->add_option("--text", o->text, "evaluation text; default tinystories_val.txt in the model dir");
  cmd->add_option("--component", o->component, "GEMM kind to calibrate: q,k,v,o,gate,up,down,qk,pv")
      ->capture_default_str();
  cmd->add_option("--layers", o->layers, "targeted layers: all or a list such as 0,1")->capture_default_str();
  cmd->add_option("--paragraphs", o->paragraphs, "paragraphs per evaluation")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--ctx", o->ctx, "tokens per paragraph, BOS included")
      ->capture_default_str()
      ->check(CLI::Range(2, 1 << 20));
  cmd->add_option("--msd-from", o->msd_from, "log2 MSD grid: first value")->capture_default_str();
  cmd->add_option("--msd-to", o->msd_to, "log2 MSD grid: last value")->capture_default_str();
  cmd->add_option("--msd-step", o->msd_step, "log2 MSD grid: step")->capture_default_str();
  cmd->add_option("--freq-from", o->freq_from, "log2 freq grid: first value")->capture_default_str();
  cmd->add_option("--freq-to", o->freq_to, "log2 freq grid: last value")->capture_default_str();
  cmd->add_option("--freq-step", o->freq_step, "log2 freq grid: step")->capture_default_str();
  cmd->add_option("--tolerance", o->tolerance, "allowed PPL degradation (absolute): critical when PPL > clean + it")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed of the error words (and signs)")->capture_default_str();
  cmd->add_option("--sign", o->sign, "error sign: positive (MSD = freq * magnitude) or random (+-, seeded)")
      ->capture_default_str()
      ->check(CLI::IsMember({"positive", "random"}));
  cmd->add_flag("--no-realm-clamp", o->no_realm_clamp,
                "do not clamp faulty re-quantized outputs (Q,K,V,gate,up,PV) to +-127*s_out of the clean output");
  cmd->add_option("--engine", o->engine, "GEMM engine")
      ->capture_default_str()
      ->check(CLI::IsMember(sim::gemm_engine_names()));
  cmd->add_option("--kernel", o->kernel, "INT8 kernel of the cpu engine")->capture_default_str();
  cmd->add_option("--jobs", o->jobs, "grid points evaluated in parallel (0 = all cores)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", o->out, "write the fitted constants as a TOML [abft.component.<name>] table");
  cmd->add_option("--points", o->points, "write the grid (one CSV row per point)");
  cmd->add_flag("--json", o->json, "print one JSON object on stdout");
  cmd->callback([o] { run_calibrate(*o); });
}

}  // namespace saffire::cli
