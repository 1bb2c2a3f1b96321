#include "abft/calibrate/calibration_sweep.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "arch/config_error.hpp"
#include "models/llm/transformer.hpp"

namespace saffire::abft {

std::string_view point_status_name(PointStatus s) {
  switch (s) {
    case PointStatus::Ok: return "ok";
    case PointStatus::Capped: return "capped";
    case PointStatus::Rounded: return "rounded";
    case PointStatus::Zero: return "zero";
    case PointStatus::Infeasible: return "infeasible";
  }
  return "?";
}

bool CalibrationPoint::ran() const {
  return status == PointStatus::Ok || status == PointStatus::Capped || status == PointStatus::Rounded;
}

std::vector<double> grid_axis(double from, double to, double step, const char* what) {
  if (!(step > 0) || !std::isfinite(from) || !std::isfinite(to) || !std::isfinite(step) || to < from)
    throw ConfigError(fmt::format("--{}-from/--{}-to/--{}-step: expected from <= to and step > 0", what, what, what));
  const double count = std::floor((to - from) / step + 1e-9) + 1;
  if (count > 1000) throw ConfigError(fmt::format("--{}: {} grid values, at most 1000", what, count));
  std::vector<double> v;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(count); ++i) v.push_back(from + static_cast<double>(i) * step);
  return v;
}

std::vector<CalibrationPoint> calibration_grid(const std::vector<double>& log2_msd,
                                               const std::vector<double>& log2_freq) {
  std::vector<CalibrationPoint> grid;
  for (const double y : log2_freq) {
    for (const double x : log2_msd) {
      CalibrationPoint g;
      g.log2_msd = x;
      g.msd = std::exp2(x);
      g.freq = std::llround(std::exp2(y));
      g.log2_freq = std::log2(static_cast<double>(g.freq));
      faults::MagnitudeFaultConfig cfg;
      cfg.msd = g.msd;
      cfg.freq = g.freq;
      g.magnitude = cfg.magnitude();
      if (!cfg.feasible())
        g.status = PointStatus::Infeasible;
      else if (g.magnitude == 0)
        g.status = PointStatus::Zero;
      else if (std::abs(static_cast<double>(g.magnitude * g.freq) - g.msd) > 0.1 * g.msd)
        g.status = PointStatus::Rounded;
      else
        g.status = PointStatus::Ok;
      grid.push_back(g);
    }
  }
  return grid;
}

namespace {

// One faulty evaluation of a runnable grid point, with its own engines and model.
void evaluate_point(CalibrationPoint& g, const CalibrationSpec& spec, const models::llm::LanguageModel& lm,
                    std::string_view text, const models::llm::PerplexityOptions& po,
                    const models::llm::InferenceOptions& inf, double clean_ppl, const CleanEngineMaker& make_engine) {
  namespace llm = models::llm;
  faults::MagnitudeFaultConfig cfg;
  cfg.msd = g.msd;
  cfg.freq = g.freq;
  cfg.sign = spec.sign;
  cfg.seed = spec.seed;
  cfg.targeting = spec.targeting;
  faults::MagnitudeFaultEngine engine(make_engine(), cfg);
  llm::Transformer model(lm.checkpoint, inf, &engine);
  faults::MagnitudeClampHook clamp(engine, inf.quant.activations);
  if (spec.realm_clamp) model.set_hook(&clamp);
  const llm::PerplexityResult r = llm::evaluate_perplexity(model, lm.tokenizer, text, po);
  g.ppl = r.ppl;
  g.degradation = r.ppl - clean_ppl;
  g.critical = !std::isfinite(r.ppl) || g.degradation > spec.tolerance;
  g.totals = engine.totals();
  g.clamped = clamp.clamped();
  if (g.status == PointStatus::Ok && 2 * g.totals.capped_gemms > g.totals.gemms) g.status = PointStatus::Capped;
  g.used = g.status == PointStatus::Ok;
}

}  // namespace

CalibrationResult run_calibration(const CalibrationSpec& spec, const models::llm::LanguageModel& lm,
                                  std::string_view text, const models::llm::PerplexityOptions& po,
                                  const CleanEngineMaker& make_engine, const CalibrationProgress& progress) {
  namespace llm = models::llm;
  CalibrationResult result;
  result.grid = calibration_grid(spec.log2_msd, spec.log2_freq);
  for (const CalibrationPoint& g : result.grid) result.points_run += g.ran();

  llm::InferenceOptions inf;
  inf.precision = llm::Precision::W8A8;
  {
    std::unique_ptr<models::GemmEngine> clean_engine = make_engine();
    llm::Transformer clean_model(lm.checkpoint, inf, clean_engine.get());
    result.clean = llm::evaluate_perplexity(clean_model, lm.tokenizer, text, po);
  }

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  result.jobs = static_cast<int>(
      std::max<std::int64_t>(1, std::min<std::int64_t>(spec.jobs > 0 ? spec.jobs : cores, result.points_run)));
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> done{0};
  std::mutex mutex;
  std::exception_ptr error;
  const auto worker = [&]() {
    try {
      for (std::size_t i = next++; i < result.grid.size(); i = next++) {
        CalibrationPoint& g = result.grid[i];
        if (!g.ran()) continue;
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (error) return;
        }
        evaluate_point(g, spec, lm, text, po, inf, result.clean.ppl, make_engine);
        const std::int64_t d = ++done;
        if (progress) {
          std::lock_guard<std::mutex> lock(mutex);
          progress(d, result.points_run);
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < result.jobs; ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);

  std::vector<CriticalPoint> points;
  for (const CalibrationPoint& g : result.grid) {
    points.push_back({g.log2_msd, g.log2_freq, g.critical, g.used});
    ++result.counts[static_cast<int>(g.status)];
    result.critical += g.critical;
  }
  result.fit = fit_critical_region(points);
  return result;
}

}  // namespace saffire::abft
