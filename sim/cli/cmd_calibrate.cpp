// saffire calibrate: fits ReaLM's statistical-ABFT constants (a, b, theta_freq) for one component of a
// model from an MSD x frequency sweep (abft/calibrate/calibration_sweep.hpp runs it) and writes them as an
// [abft.component.<name>] table; this file parses the options and prints the map, CSV, JSON and TOML.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/config_error.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/perplexity.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/option_checks.hpp"
#include "sim/engine_factory.hpp"
#include "sim/engine_stack.hpp"
#include "abft/calibrate/calibration_sweep.hpp"
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

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string fmt_num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : std::string("inf"); }

// --layers: "all" or layer numbers 0..n_layers-1.
std::set<int> parse_layers(const std::string& layers, int n_layers) {
  std::set<int> out;
  if (layers == "all") return out;
  for (const std::string& l : split_list(layers)) {
    std::size_t used = 0;
    int v = -1;
    try {
      v = std::stoi(l, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != l.size() || v < 0 || v >= n_layers)
      throw ConfigError(fmt::format("--layers: expected all or layer numbers 0..{}, got '{}'", n_layers - 1, l));
    out.insert(v);
  }
  if (out.empty()) throw ConfigError("--layers: empty list");
  return out;
}

int count_of(const abft::CalibrationResult& r, abft::PointStatus s) { return r.counts[static_cast<int>(s)]; }

void write_points_csv(const std::string& path, const CalibrateOptions& o, const abft::CalibrationResult& r) {
  std::ofstream csv(path);
  if (!csv) throw ConfigError("--points: cannot write " + path);
  csv << "component,log2_msd,log2_freq,msd,freq,magnitude,status,used,ppl,ppl_clean,degradation,critical,"
         "predicted_critical,errors,gemms,capped_gemms,clamped\n";
  for (const abft::CalibrationPoint& g : r.grid) {
    csv << o.component << ',' << fmt_num(g.log2_msd) << ',' << fmt_num(g.log2_freq) << ',' << fmt_num(g.msd) << ','
        << g.freq << ',' << g.magnitude << ',' << abft::point_status_name(g.status) << ',' << (g.used ? 1 : 0) << ','
        << (g.ran() ? fmt::format("{:.17g}", g.ppl) : std::string()) << ',' << fmt::format("{:.17g}", r.clean.ppl)
        << ',' << (g.ran() ? fmt::format("{:.17g}", g.degradation) : std::string()) << ',' << (g.critical ? 1 : 0)
        << ',' << (abft::predicted_critical(r.fit, g.log2_msd, g.log2_freq) ? 1 : 0) << ',' << g.totals.errors << ','
        << g.totals.gemms << ',' << g.totals.capped_gemms << ',' << g.clamped << '\n';
  }
  if (!csv) throw std::runtime_error("--points: write to " + path + " failed");
}

void write_constants_toml(const std::string& path, const CalibrateOptions& o, models::Component component,
                          const abft::CalibrationResult& r, const std::string& model_name,
                          const std::string& text_name) {
  const abft::CriticalFit& fit = r.fit;
  const abft::StatisticalConstants k{fit.a, fit.b, fit.theta_freq, fit.line_only};
  const std::pair<models::Component, abft::StatisticalConstants> table{component, k};
  const std::vector<std::string> comments = {
      fmt::format("saffire calibrate {}: ReaLM statistical-ABFT constants of component {} of {}", SAFFIRE_VERSION,
                  o.component, model_name),
      fmt::format("layers {}, {} paragraphs of {} (ctx {}), W8A8 on {}, clean PPL {:.6f}", o.layers,
                  r.clean.paragraphs, text_name, o.ctx, o.engine, r.clean.ppl),
      fmt::format("grid log2 MSD {}..{} step {} x log2 freq {}..{} step {}; critical: PPL > clean + {}",
                  fmt_num(o.msd_from), fmt_num(o.msd_to), fmt_num(o.msd_step), fmt_num(o.freq_from),
                  fmt_num(o.freq_to), fmt_num(o.freq_step), fmt_num(o.tolerance)),
      fmt::format("errors: sign {}, seed {}, realm clamp {}", o.sign, o.seed, o.no_realm_clamp ? "off" : "on"),
      fmt::format("fit: linear separation (centroid of the best lines), {:.1f} % of {} fitted points classified as "
                  "measured{}",
                  100.0 * fit.accuracy, count_of(r, abft::PointStatus::Ok), fit.note.empty() ? "" : "; " + fit.note)};
  std::ofstream f(path);
  if (!f) throw ConfigError("--out: cannot write " + path);
  f << abft::calibration_toml({&table, 1}, comments);
  if (!f) throw std::runtime_error("--out: write to " + path + " failed");
}

nlohmann::json calibration_json(const CalibrateOptions& o, const abft::CalibrationSpec& spec,
                                const abft::CalibrationResult& r, const std::string& model_path,
                                const std::string& text_path, double seconds) {
  using abft::PointStatus;
  nlohmann::json points = nlohmann::json::array();
  for (const abft::CalibrationPoint& g : r.grid) {
    nlohmann::json p = {{"log2_msd", g.log2_msd}, {"log2_freq", g.log2_freq}, {"freq", g.freq},
                        {"magnitude", g.magnitude}, {"status", abft::point_status_name(g.status)}, {"used", g.used},
                        {"critical", g.critical}, {"errors", g.totals.errors}, {"gemms", g.totals.gemms},
                        {"capped_gemms", g.totals.capped_gemms}, {"clamped", g.clamped}};
    if (g.ran()) {
      p["ppl"] = std::isfinite(g.ppl) ? nlohmann::json(g.ppl) : nlohmann::json(nullptr);
      p["degradation"] = std::isfinite(g.degradation) ? nlohmann::json(g.degradation) : nlohmann::json(nullptr);
    }
    points.push_back(p);
  }
  const abft::CriticalFit& fit = r.fit;
  nlohmann::json boundary = nlohmann::json::array();
  for (const auto& [x, y] : fit.boundary) boundary.push_back({x, y});
  nlohmann::json j = {
      {"component", o.component},
      {"layers", o.layers},
      {"model", model_path},
      {"text", text_path},
      {"paragraphs", r.clean.paragraphs},
      {"ctx", o.ctx},
      {"tokens_per_point", r.clean.tokens_processed},
      {"engine", o.engine},
      {"sign", o.sign},
      {"seed", o.seed},
      {"realm_clamp", !o.no_realm_clamp},
      {"tolerance", o.tolerance},
      {"ppl_clean", r.clean.ppl},
      {"grid", {{"log2_msd", spec.log2_msd}, {"log2_freq", spec.log2_freq}}},
      {"counts", {{"ok", count_of(r, PointStatus::Ok)}, {"capped", count_of(r, PointStatus::Capped)},
                  {"rounded", count_of(r, PointStatus::Rounded)}, {"zero", count_of(r, PointStatus::Zero)},
                  {"infeasible", count_of(r, PointStatus::Infeasible)}, {"critical", r.critical}}},
      {"fit", {{"ok", fit.ok}, {"a", fit.a}, {"b", fit.b}, {"theta_freq", fit.theta_freq},
               {"line_only", fit.line_only}, {"slope_unbounded", fit.slope_unbounded},
               {"misclassified", fit.misclassified}, {"boundary", boundary},
               {"columns_all_critical", fit.columns_all_critical},
               {"columns_none_critical", fit.columns_none_critical}, {"accuracy", fit.accuracy},
               {"note", fit.note}}},
      {"realm", {{"a", kRealmA}, {"b", kRealmB}, {"theta_freq", kRealmThetaFreq}}},
      {"points", points},
      {"jobs", r.jobs},
      {"seconds", seconds}};
  if (!o.out.empty() && fit.ok) j["out"] = o.out;
  if (!o.points.empty()) j["points_csv"] = o.points;
  return j;
}

// The grid as a character map (log2 freq rows from the top, log2 MSD columns), then the fit.
void print_calibration(const CalibrateOptions& o, const abft::CalibrationSpec& spec, const abft::CalibrationResult& r,
                       const std::string& model_name, double seconds) {
  using abft::PointStatus;
  const std::vector<double>& xs = spec.log2_msd;
  const std::vector<double>& ys = spec.log2_freq;
  const abft::CriticalFit& fit = r.fit;
  fmt::print("saffire calibrate: component {} of {}, layers {}, {} paragraphs (ctx {}), {} tokens per point\n",
             o.component, model_name, o.layers, r.clean.paragraphs, o.ctx, r.clean.tokens_processed);
  fmt::print("  clean PPL        {:.4f} (W8A8 on {}); critical: PPL > clean + {}\n", r.clean.ppl, o.engine,
             fmt_num(o.tolerance));
  fmt::print("  errors           freq per targeted GEMM, magnitude MSD/freq, sign {}, seed {}, realm clamp {}\n",
             o.sign, o.seed, o.no_realm_clamp ? "off" : "on");
  fmt::print("  grid             {} x {} = {} points: {} fitted, {} capped, {} rounded, {} zero, {} infeasible\n",
             xs.size(), ys.size(), r.grid.size(), count_of(r, PointStatus::Ok), count_of(r, PointStatus::Capped),
             count_of(r, PointStatus::Rounded), count_of(r, PointStatus::Zero),
             count_of(r, PointStatus::Infeasible));
  fmt::print("  map              X critical, . tolerated, x/o critical/tolerated but not fitted, blank not run\n");
  for (std::size_t yi = ys.size(); yi-- > 0;) {
    std::string row = fmt::format("  {:>6} |", fmt_num(ys[yi]));
    for (std::size_t xi = 0; xi < xs.size(); ++xi) {
      const abft::CalibrationPoint& g = r.grid[yi * xs.size() + xi];
      const char c = !g.ran() ? (g.status == PointStatus::Zero ? '.' : ' ')
                              : g.used ? (g.critical ? 'X' : '.') : (g.critical ? 'x' : 'o');
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
  fmt::print("  {:>6} +{}\n  log2 MSD {}\n", "", std::string(4 * xs.size(), '-'), labels);
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
  fmt::print("  runtime          {:.1f} s ({} points run on {} threads)\n", seconds, r.points_run, r.jobs);
}

void run_calibrate(const CalibrateOptions& o) {
  namespace llm = models::llm;
  const auto t0 = std::chrono::steady_clock::now();
  models::Component component;
  try {
    component = models::parse_component(o.component);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("--component: ") + e.what());
  }
  abft::CalibrationSpec spec;
  spec.sign = faults::parse_magnitude_sign(o.sign);
  if (!(o.tolerance >= 0) || !std::isfinite(o.tolerance)) throw ConfigError("--tolerance: expected a number >= 0");
  spec.log2_msd = abft::grid_axis(o.msd_from, o.msd_to, o.msd_step, "msd");
  spec.log2_freq = abft::grid_axis(o.freq_from, o.freq_to, o.freq_step, "freq");
  if (o.msd_from < 0 || o.msd_to > 62) throw ConfigError("--msd-from/--msd-to: log2 MSD must lie in [0, 62]");
  if (o.freq_from < 0 || o.freq_to > 40) throw ConfigError("--freq-from/--freq-to: log2 freq must lie in [0, 40]");
  spec.tolerance = o.tolerance;
  spec.seed = o.seed;
  spec.realm_clamp = !o.no_realm_clamp;
  spec.jobs = o.jobs;

  // W8A8 only: the projections stay in the mapped file (no FP32 copy of them; the same INT8 weights).
  const llm::LanguageModel lm = llm::load_language_model(o.model, o.tokenizer, llm::WeightStorage::MappedProjections);
  const auto text_path = llm::resolve_model_file(llm::kDefaultTextFile, o.text);
  const std::string text = llm::read_file(text_path);
  const llm::LlamaConfig& mc = lm.checkpoint.config();
  if (o.ctx > mc.seq_len)
    throw ConfigError(fmt::format("--ctx {} exceeds the model's context of {}", o.ctx, mc.seq_len));
  spec.targeting.components.reset();
  spec.targeting.components.set(static_cast<std::size_t>(component));
  spec.targeting.layers = parse_layers(o.layers, mc.n_layers);

  sim::EngineStackSpec clean;  // no plan: the clean base engine; the sweep wraps it in the magnitude faults
  clean.engine = o.engine;
  clean.options.kernel = o.kernel;
  clean.options.threads = 1;  // parallelism is across grid points
  llm::PerplexityOptions po;
  po.ctx = o.ctx;
  po.paragraphs = o.paragraphs;
  const bool show_progress = !o.json && isatty(fileno(stderr)) != 0;
  const abft::CalibrationResult r = abft::run_calibration(
      spec, lm, text, po, [&] { return sim::build_engine_stack(clean).engine; },
      [&](std::int64_t done, std::int64_t total) {
        if (!show_progress) return;
        fmt::print(stderr, "\rcalibrate {}: {}/{} grid points", o.component, done, total);
        if (done == total) fmt::print(stderr, "\n");
      });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (!o.points.empty()) write_points_csv(o.points, o, r);
  if (!o.out.empty() && r.fit.ok)
    write_constants_toml(o.out, o, component, r, lm.model_path.filename().string(), text_path.filename().string());
  if (o.json)
    fmt::print("{}\n", calibration_json(o, spec, r, lm.model_path.string(), text_path.string(), seconds).dump());
  else
    print_calibration(o, spec, r, lm.model_path.filename().string(), seconds);
  if (!o.out.empty() && !r.fit.ok)
    throw std::runtime_error("--out " + o.out + " not written: no fit (" + r.fit.note + ")");
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Fit ReaLM's statistical-ABFT constants (a, b, theta_freq) of a component from an MSD x freq sweep");
  cmd->add_option("--model", o->model, "llama2.c checkpoint, Hugging Face folder or llama GGUF file; default stories260K.bin in the model dir");
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.bin or tokenizer.json; default tok512.bin in the model dir (a Hugging Face folder: its tokenizer.json; a GGUF file: its tokenizer.ggml.* keys)");
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
  cmd->add_option("--seed", o->seed, "seed of the error words (and signs)")->capture_default_str()->check(unsigned_integer());
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
