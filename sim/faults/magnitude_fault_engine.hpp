#pragma once
// Magnitude faults: ReaLM's calibration stimulus for statistical ABFT (background.md section 2),
// Used by `saffire calibrate` (the fit of the critical region is abft/calibrate/critical_region.hpp).
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

#include "models/engine/gemm_engine.hpp"
#include "models/llm/gemm_hook.hpp"
#include "models/llm/quantize.hpp"
#include "sim/faults/fault_plan.hpp"

namespace saffire::faults {

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

/// ReaLM's re-quantization clamp (as sim/faults/realm_clamp_hook.hpp) for magnitude faults: faulty words of
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

}  // namespace saffire::faults
