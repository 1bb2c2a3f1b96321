#pragma once
// ReaLM's calibration sweep (background.md section 2, issue 5): at every grid point (log2 MSD,
// log2 freq) every targeted GEMM gets `freq` errors of magnitude MSD/freq
// (sim/faults/magnitude_fault_engine.hpp), the W8A8 perplexity is measured, and the point is critical
// when the PPL rises by more than the tolerance over the clean run; the critical region is then fitted
// (critical_region.hpp). `saffire calibrate` parses, runs this and prints; the sweep itself lives here.
//
// Usage:
//   CalibrationSpec spec;  spec.log2_msd = grid_axis(10, 34, 2, "msd"); ...
//   CalibrationResult r = run_calibration(spec, lm, text, po, [&] { return make_clean_engine(); });
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "abft/calibrate/critical_region.hpp"
#include "models/engine/gemm_engine.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/perplexity.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/faults/magnitude_fault_engine.hpp"

namespace saffire::abft {

/// Why a grid point is (not) fitted. Known before any run except Capped (decided from the run).
enum class PointStatus {
  Ok,          // run and fitted
  Capped,      // run; most targeted GEMMs had fewer words than freq, so the point sits lower than its grid place
  Rounded,     // run, not fitted: rounding MSD/freq moves the MSD by more than 10 %
  Zero,        // not run: MSD/freq rounds to 0, nothing to inject
  Infeasible,  // not run: MSD/freq does not fit in an INT32 word
};
inline constexpr int kNumPointStatuses = 5;
std::string_view point_status_name(PointStatus s);

struct CalibrationPoint {
  double log2_msd = 0, log2_freq = 0;  // log2_freq of the rounded freq
  double msd = 0;
  std::int64_t freq = 0, magnitude = 0;
  PointStatus status = PointStatus::Ok;
  bool used = false;  // enters the fit
  double ppl = 0, degradation = 0;
  bool critical = false;
  faults::MagnitudeTotals totals;
  std::int64_t clamped = 0;  // outputs ReaLM's clamp bounded
  bool ran() const;
};

struct CalibrationSpec {
  std::vector<double> log2_msd, log2_freq;  // the grid axes (grid_axis)
  double tolerance = 0.3;                   // critical when PPL > clean + tolerance (or not finite)
  faults::FaultTargeting targeting;
  faults::MagnitudeSign sign = faults::MagnitudeSign::Positive;
  std::uint64_t seed = 1;
  bool realm_clamp = true;  // clamp faulty re-quantized outputs to +-127*s_out of the clean output
  int jobs = 0;             // grid points evaluated in parallel; 0: all cores
};

struct CalibrationResult {
  models::llm::PerplexityResult clean;
  std::vector<CalibrationPoint> grid;  // row-major: log2_freq outer, log2_msd inner
  CriticalFit fit;
  int counts[kNumPointStatuses] = {0, 0, 0, 0, 0};  // per PointStatus
  std::int64_t critical = 0;
  std::int64_t points_run = 0;
  int jobs = 1;
};

/// from, from + step, ... up to `to` (inclusive within 1e-9 steps). ConfigError naming --<what>-from/to/step
/// when from > to, step <= 0, a bound is not finite, or more than 1000 values.
std::vector<double> grid_axis(double from, double to, double step, const char* what);

/// The grid with every point's status known before any evaluation.
std::vector<CalibrationPoint> calibration_grid(const std::vector<double>& log2_msd,
                                               const std::vector<double>& log2_freq);

using CleanEngineMaker = std::function<std::unique_ptr<models::GemmEngine>()>;
using CalibrationProgress = std::function<void(std::int64_t done, std::int64_t total)>;

/// Runs the clean evaluation, then every runnable grid point (spread over spec.jobs threads, each point
/// with its own engines and model, so the result does not depend on the thread count), and fits the
/// critical region. make_engine builds one clean (single-threaded) engine per call; progress, when
/// given, is called under a lock after each point.
CalibrationResult run_calibration(const CalibrationSpec& spec, const models::llm::LanguageModel& lm,
                                  std::string_view text, const models::llm::PerplexityOptions& po,
                                  const CleanEngineMaker& make_engine, const CalibrationProgress& progress = {});

}  // namespace saffire::abft
