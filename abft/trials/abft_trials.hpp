#pragma once
// Recompute-probability trials of ABFT detection schemes on one GEMM (issue 5's first study, after
// ReaLM's Fig.: recompute probability vs BER of classic, MSD-only and statistical ABFT).
//
// A trial samples the bitflip faults of the whole GEMM (sim/faults/bitflip_fault.hpp), forms the
// checksum deviations the hardware would see, and asks each detection policy for its whole-GEMM
// decision. The clean output is computed once: with exact INT32 wrap-around arithmetic the clean
// deviations are all zero, so the faulty output's deviations are just the sums of the flipped words'
// deltas (faulty - clean word, mod 2^32) over each row check and column check: O(faults) per trial
// (WS: O(faults * R), for the last fold's partial sum), never the O(m * n) of materializing the output.
#include <cstdint>
#include <span>
#include <vector>

#include "abft/checksum_deviations.hpp"
#include "abft/detect/detection_policy.hpp"
#include "arch/array_config.hpp"
#include "sim/faults/bitflip_fault.hpp"
#include "models/engine/gemm_id.hpp"
#include "models/gemm/int8_gemm.hpp"

namespace saffire::abft {

/// faulty - clean of the word `f` hits, mod 2^32 (+-2^bit): OS flips the finished accumulator, WS the
/// partial sum of the last reduction fold (see sim/faults/output_fault_apply.hpp). `clean.y` is the clean output.
std::uint32_t output_fault_delta(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& clean,
                                 const arch::OutputFault& f);

/// Adds the deltas of `faults` (distinct words) into `dev` (tiles, rows and tile_cols set, row sized
/// tiles * rows; col sized n or empty for no column checks). Starting from zeros, the result equals
/// checksum_deviations(faulty output, dev.tile_cols, !dev.col.empty()).
void add_fault_deviations(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& clean,
                          std::span<const arch::OutputFault> faults, abft::ChecksumDeviations& dev);

/// Sets back to 0 every entry of `dev` that `faults` touched (cheaper than refilling it).
void clear_fault_deviations(std::span<const arch::OutputFault> faults, abft::ChecksumDeviations& dev);

/// The deviations of clean + faults, from zeros, in O(faults): equal to checksum_deviations on the
/// materialized faulty output (tile_cols: the array's width C).
abft::ChecksumDeviations fault_checksum_deviations(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& clean,
                                                   std::span<const arch::OutputFault> faults, bool columns);

/// Which checks the statistic of approxabft / statistical sees as its "row deviations".
enum class TrialChecks {
  Rows,         // the row checks of every column tile (the hardware saffire models; what eval sees)
  RowsAndCols,  // what-if: the row checks and the n column checks, counted together (MSD and freq)
};

struct RecomputeTrialsConfig {
  arch::ArrayConfig array;  // dataflow and C (the row checks' tile width)
  models::Component component = models::Component::K;
  faults::BitflipConfig faults;  // ber, bit range, seed (the campaign seed)
  std::int64_t trials = 1000;
  TrialChecks checks = TrialChecks::Rows;
  int threads = 0;  // OpenMP threads, 0 = all
};

struct PolicyCounts {
  std::int64_t recompute = 0;  // trials decided Action::Recompute
  std::int64_t correct = 0;    // trials decided Action::Correct (classic-correct)
};

struct TrialCounts {
  std::int64_t trials = 0;
  std::int64_t faults = 0;         // faults over all trials
  std::int64_t faulty_trials = 0;  // trials with at least one fault
  std::vector<PolicyCounts> policies;
};

/// The GEMM key of trial t: trial t's faults depend only on (faults.seed, t), so results do not
/// depend on the thread count, and trial t is the same at every BER (common random numbers).
std::uint64_t trial_gemm_key(std::int64_t trial);

/// Runs cfg.trials trials on the clean GEMM `clean` (clean.y: its exact output) and counts each
/// policy's whole-GEMM decisions. Deterministic for any thread count. Throws std::invalid_argument on
/// bad arguments (no policies, non-positive trials, accumulate GEMMs).
TrialCounts run_recompute_trials(const RecomputeTrialsConfig& cfg, const models::Int8GemmArgs& clean,
                                 std::span<const abft::DetectionPolicy* const> policies);

struct Interval {
  double lo = 0, hi = 0;
};

/// Wilson score interval of `successes` out of `n` at normal quantile z (1.96: 95 %).
Interval wilson_interval(std::int64_t successes, std::int64_t n, double z = 1.96);

/// The BER at which p(BER) first reaches `level`, interpolated linearly in (log BER, p) between the
/// grid points around the first crossing. -1 when p never reaches level on the grid; 0 when it is
/// already reached at the first point (the crossing lies below the grid). `bers` ascending.
double ber_at_level(std::span<const double> bers, std::span<const double> p, double level = 0.5);

}  // namespace saffire::abft
