#pragma once
// Magnitude faults: ReaLM's calibration stimulus for statistical ABFT (background.md section 2),
// and the fit of its critical-region line. Used by `saffire calibrate`.
//
// MagnitudeFaultEngine wraps an engine (cpu, cuda, array) and, in every targeted GEMM, adds `freq`
// errors of one magnitude m = llround(MSD / freq) (INT32 units, wrap-around) at `freq` distinct
// output words, so the GEMM's checksum deviations sum to freq * m = MSD (within freq / 2 of rounding)
// and there are freq nonzero deviations (fewer row checks when two errors share a row and column
// tile: the words are drawn uniformly, as in ReaLM's procedure).
//
// Determinism: the i-th faulty word of a GEMM is word_index(seed, FaultPlan::gemm_key(id), words, i),
// a keyed pseudo-random permutation of [0, words) (a 4-round Feistel network with a Philox round
// function, cycle-walked onto the domain), so the words are distinct by construction and a pure
// function of (seed, GEMM identity, i): the same on every engine and thread count, and nested across
// frequencies (the words of freq f are the first f words of freq 2f). If freq exceeds the GEMM's
// words (m * n), every word gets an error of the same magnitude m and the GEMM counts as capped.
//
// Sign: Positive (every error is +m, so MSD = |sum| = freq * m exactly: ReaLM's "freq errors of
// magnitude MSD/freq"), or Random (+-m, a fair Philox coin per error; the checksum MSD is then
// |sum| <= freq * m, and the rule sees the sum's magnitude).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "abft/abft_config.hpp"
#include "models/engine/gemm_engine.hpp"
#include "models/llm/gemm_hook.hpp"
#include "models/llm/quantize.hpp"
#include "sim/fault_plan.hpp"

namespace saffire::sim {

enum class MagnitudeSign { Positive, Random };
std::string_view to_string(MagnitudeSign s);           // "positive", "random"
MagnitudeSign parse_magnitude_sign(std::string_view name);  // throws ConfigError listing the names

struct MagnitudeFaultConfig {
  double msd = 0;             // requested matrix sum deviation per targeted GEMM (INT32 units)
  std::int64_t freq = 1;      // errors per targeted GEMM (>= 1)
  MagnitudeSign sign = MagnitudeSign::Positive;
  std::uint64_t seed = 1;
  FaultTargeting targeting;   // components, layers, stages

  /// llround(msd / freq): 0 when the errors round away; may exceed INT32 (then validate() throws).
  std::int64_t magnitude() const;
  /// Whether one word can carry the magnitude: 0 <= magnitude() <= INT32_MAX.
  bool feasible() const;
  /// Throws ConfigError on msd < 0, freq < 1 or an infeasible magnitude.
  void validate() const;
};

/// One injected error: output word (m, n) gets delta added (wrap-around).
struct MagnitudeError {
  std::int64_t m = 0, n = 0;
  std::int32_t delta = 0;
};

/// The i-th word (i < words) of the permutation of [0, words) keyed by (seed, gemm_key).
std::int64_t magnitude_word_index(std::uint64_t seed, std::uint64_t gemm_key, std::int64_t words, std::int64_t i);

/// The errors of one (m x n) GEMM (empty when it is not targeted or the magnitude rounds to 0):
/// min(freq, m * n) distinct words in permutation order. A pure function of its arguments.
std::vector<MagnitudeError> magnitude_errors(const MagnitudeFaultConfig& cfg, const models::GemmId& id,
                                             std::int64_t m, std::int64_t n);

struct MagnitudeTotals {
  std::int64_t gemms = 0;         // targeted GEMMs that got errors
  std::int64_t errors = 0;        // errors injected
  std::int64_t capped_gemms = 0;  // of those, GEMMs with fewer words than freq (every word got one)
};

class MagnitudeFaultEngine final : public models::GemmEngine {
 public:
  /// cfg must be valid (validate()).
  MagnitudeFaultEngine(std::unique_ptr<models::GemmEngine> inner, const MagnitudeFaultConfig& cfg);
  std::string_view name() const override { return m_inner->name(); }
  void gemm(const models::GemmId& id, const models::Int8GemmArgs& args) override;

  const MagnitudeFaultConfig& config() const { return m_cfg; }
  const MagnitudeTotals& totals() const { return m_totals; }
  /// The errors of the latest gemm() call and its identity (empty when it had none).
  const std::vector<MagnitudeError>& last_errors() const { return m_last; }
  const models::GemmId& last_id() const { return m_last_id; }

 private:
  std::unique_ptr<models::GemmEngine> m_inner;
  MagnitudeFaultConfig m_cfg;
  MagnitudeTotals m_totals;
  std::vector<MagnitudeError> m_last;
  models::GemmId m_last_id;
};

/// ReaLM's re-quantization clamp (as sim/realm_clamp_hook.hpp) for magnitude faults: faulty words of
/// re-quantized outputs (Q, K, V, Gate, Up, PV) are clamped to +-127 * s_out of the clean output
/// (the engine's output with the errors subtracted); O, Down and QK are left alone.
class MagnitudeClampHook final : public models::llm::GemmHook {
 public:
  MagnitudeClampHook(const MagnitudeFaultEngine& engine, models::llm::ActivationGranularity granularity);
  void after_gemm(const models::llm::QuantizedGemmCall& call) override;
  std::int64_t clamped() const { return m_clamped; }

 private:
  const MagnitudeFaultEngine* m_engine;
  models::llm::ActivationGranularity m_granularity;
  std::vector<std::int32_t> m_clean;
  std::vector<float> m_scales;
  std::int64_t m_clamped = 0;
};

// ---- The critical-region fit ----------------------------------------------------------------------

/// One grid point of a calibration sweep: (log2 MSD, log2 freq) and whether it was critical
/// (PPL degradation above the tolerance). Points with use = false are reported but not fitted.
struct CriticalPoint {
  double log2_msd = 0;
  double log2_freq = 0;
  bool critical = false;
  bool use = true;
};

/// ReaLM's critical region: critical iff log2 freq < a * log2 MSD - b (each error is above
/// theta_mag) and, unless line_only, log2 freq > theta_freq (enough of them).
struct CriticalFit {
  bool ok = false;              // a, b, theta_freq are usable (a > 0, finite)
  double a = 0, b = 0, theta_freq = 0;
  bool line_only = false;       // critical points down to the lowest frequency of the grid: no floor
  bool slope_unbounded = false; // the best lines reach the searched slope range's end (see note)
  std::int64_t misclassified = 0;  // points above the floor on the wrong side of the best lines
  std::vector<std::pair<double, double>> boundary;  // diagnostics: (log2 MSD, boundary log2 freq) per column
  int columns_all_critical = 0;  // columns critical up to the top of the grid (boundary above it)
  int columns_none_critical = 0; // columns with no critical point above the floor (boundary below it)
  double accuracy = 0;          // fraction of the used points the fitted rule classifies as measured
  std::string note;             // why !ok, or what to be careful about
};

/// Fits the critical region of a grid (method in the .cpp and in experiments/abft/README.md):
///   theta_freq: halfway between the lowest critical log2 freq and the next lower grid frequency
///               (line_only when that is the grid's lowest frequency);
///   a, b: a linear separation of the points above theta_freq: among all lines log2 freq = a x - b
///         (a in [0.02, 8]) that misclassify the fewest of them, the centroid of that (a, b) region;
///   boundary (diagnostics, and the plot): per MSD column, the log2 freq threshold (midway between
///         grid frequencies) that misclassifies the fewest of the column's points above theta_freq.
CriticalFit fit_critical_region(std::span<const CriticalPoint> points);

/// Whether the fitted rule calls (log2 msd, log2 freq) critical.
bool predicted_critical(const CriticalFit& fit, double log2_msd, double log2_freq);

/// A TOML file that abft::load_abft_config reads: `# ` comment lines, an [abft] table with
/// scheme = "statistical", and one [abft.component.<name>] table per entry.
std::string calibration_toml(std::span<const std::pair<models::Component, abft::StatisticalConstants>> tables,
                             std::span<const std::string> comments);

}  // namespace saffire::sim
