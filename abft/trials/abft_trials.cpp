#include "abft/trials/abft_trials.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace saffire::abft {

namespace {

// Adds the deltas into raw row checks (tile-major, `rows` per tile) and, when col != nullptr, column checks.
void add_into(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& clean,
              std::span<const arch::OutputFault> faults, std::int64_t rows, std::int64_t tile_cols, std::int32_t* row,
              std::int32_t* col) {
  for (const arch::OutputFault& f : faults) {
    const std::uint32_t d = output_fault_delta(cfg, clean, f);
    std::int32_t& r = row[(f.n / tile_cols) * rows + f.m];
    r = static_cast<std::int32_t>(static_cast<std::uint32_t>(r) + d);
    if (col != nullptr) col[f.n] = static_cast<std::int32_t>(static_cast<std::uint32_t>(col[f.n]) + d);
  }
}

void clear_into(std::span<const arch::OutputFault> faults, std::int64_t rows, std::int64_t tile_cols, std::int32_t* row,
                std::int32_t* col) {
  for (const arch::OutputFault& f : faults) {
    row[(f.n / tile_cols) * rows + f.m] = 0;
    if (col != nullptr) col[f.n] = 0;
  }
}

void check_dev(const abft::ChecksumDeviations& dev, const models::Int8GemmArgs& clean) {
  if (dev.tile_cols < 1 || dev.rows != clean.m || dev.tiles != (clean.n + dev.tile_cols - 1) / dev.tile_cols ||
      dev.row.size() != static_cast<std::size_t>(dev.tiles * dev.rows) ||
      !(dev.col.empty() || dev.col.size() == static_cast<std::size_t>(clean.n)))
    throw std::invalid_argument("add_fault_deviations: deviations not shaped for this GEMM");
}

}  // namespace

std::uint32_t output_fault_delta(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& a,
                                 const arch::OutputFault& f) {
  const std::uint32_t mask = 1u << f.bit;
  std::uint32_t v = 0;  // the value the flip hits
  if (cfg.dataflow == arch::Dataflow::OS) {
    v = static_cast<std::uint32_t>(a.y[f.m * a.ldy + f.n]);
  } else {
    const std::int64_t k0 = ((a.k - 1) / cfg.rows) * cfg.rows;
    for (std::int64_t k = k0; k < a.k; ++k)
      v += static_cast<std::uint32_t>(static_cast<std::int32_t>(a.x[f.m * a.ldx + k]) * a.w[k * a.ldw + f.n]);
  }
  return (v ^ mask) - v;
}

void add_fault_deviations(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& clean,
                          std::span<const arch::OutputFault> faults, abft::ChecksumDeviations& dev) {
  check_dev(dev, clean);
  add_into(cfg, clean, faults, dev.rows, dev.tile_cols, dev.row.data(), dev.col.empty() ? nullptr : dev.col.data());
}

void clear_fault_deviations(std::span<const arch::OutputFault> faults, abft::ChecksumDeviations& dev) {
  clear_into(faults, dev.rows, dev.tile_cols, dev.row.data(), dev.col.empty() ? nullptr : dev.col.data());
}

abft::ChecksumDeviations fault_checksum_deviations(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& clean,
                                                   std::span<const arch::OutputFault> faults, bool columns) {
  abft::ChecksumDeviations dev;
  dev.rows = clean.m;
  dev.tile_cols = cfg.cols;
  dev.tiles = (clean.n + cfg.cols - 1) / cfg.cols;
  dev.row.assign(static_cast<std::size_t>(dev.tiles * dev.rows), 0);
  if (columns) dev.col.assign(static_cast<std::size_t>(clean.n), 0);
  add_fault_deviations(cfg, clean, faults, dev);
  return dev;
}

std::uint64_t trial_gemm_key(std::int64_t trial) {
  return (std::uint64_t{0xABF7} << 48) ^ static_cast<std::uint64_t>(trial);  // "ABFT": apart from model GEMM keys
}

TrialCounts run_recompute_trials(const RecomputeTrialsConfig& cfg, const models::Int8GemmArgs& clean,
                                 std::span<const abft::DetectionPolicy* const> policies) {
  if (policies.empty()) throw std::invalid_argument("run_recompute_trials: no policies");
  if (cfg.trials < 1) throw std::invalid_argument("run_recompute_trials: trials must be positive");
  if (clean.accumulate) throw std::invalid_argument("run_recompute_trials: accumulating GEMMs are not checked");
  if (clean.m < 1 || clean.n < 1 || clean.k < 1) throw std::invalid_argument("run_recompute_trials: empty GEMM");
  cfg.array.validate();
  cfg.faults.validate();
  bool columns = cfg.checks == TrialChecks::RowsAndCols;
  for (const abft::DetectionPolicy* p : policies) {
    if (p == nullptr) throw std::invalid_argument("run_recompute_trials: null policy");
    if (p->needs_duplicate())
      throw std::invalid_argument("run_recompute_trials: " + std::string(p->name()) +
                                  " needs a duplicate, not checksums");
    columns = columns || p->needs_columns();
  }
  const std::int64_t tile_cols = cfg.array.cols, tiles = (clean.n + tile_cols - 1) / tile_cols;
  const std::int64_t row_checks = tiles * clean.m;
  const std::size_t np = policies.size();

  TrialCounts total;
  total.trials = cfg.trials;
  total.policies.assign(np, {});
  const int threads = cfg.threads > 0 ? cfg.threads : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
  {
    // One buffer: the row checks, then (when needed) the column checks right after them, so that
    // RowsAndCols can hand the policies both as one span.
    std::vector<std::int32_t> buf(static_cast<std::size_t>(row_checks + (columns ? clean.n : 0)), 0);
    std::int32_t* row = buf.data();
    std::int32_t* col = columns ? buf.data() + row_checks : nullptr;
    TrialCounts local;
    local.policies.assign(np, {});
#pragma omp for schedule(dynamic, 8)
    for (std::int64_t t = 0; t < cfg.trials; ++t) {
      const std::vector<arch::OutputFault> faults =
          faults::sample_output_faults(cfg.faults, trial_gemm_key(t), clean.m, clean.n);
      local.faults += static_cast<std::int64_t>(faults.size());
      local.faulty_trials += !faults.empty();
      add_into(cfg.array, clean, faults, clean.m, tile_cols, row, col);
      abft::DetectionInput in;
      in.component = cfg.component;
      in.rows = clean.m;
      in.first_tile = 0;
      in.tile_cols = tile_cols;
      in.row_deviations = cfg.checks == TrialChecks::RowsAndCols ? std::span<const std::int32_t>(buf)
                                                                 : std::span<const std::int32_t>(row, row_checks);
      if (columns) in.col_deviations = {col, static_cast<std::size_t>(clean.n)};
      in.first_col = 0;
      for (std::size_t i = 0; i < np; ++i) {
        const abft::Decision d = policies[i]->decide(in);
        local.policies[i].recompute += d.action == abft::Action::Recompute;
        local.policies[i].correct += d.action == abft::Action::Correct;
      }
      clear_into(faults, clean.m, tile_cols, row, col);
    }
#pragma omp critical(saffire_abft_trials)
    {
      total.faults += local.faults;
      total.faulty_trials += local.faulty_trials;
      for (std::size_t i = 0; i < np; ++i) {
        total.policies[i].recompute += local.policies[i].recompute;
        total.policies[i].correct += local.policies[i].correct;
      }
    }
  }
  return total;
}

Interval wilson_interval(std::int64_t successes, std::int64_t n, double z) {
  if (n <= 0) return {0, 1};
  const double nn = static_cast<double>(n), p = static_cast<double>(successes) / nn, z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denom;
  const double half = z / denom * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

double ber_at_level(std::span<const double> bers, std::span<const double> p, double level) {
  const std::size_t n = std::min(bers.size(), p.size());
  if (n == 0) return -1;
  if (p[0] >= level) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if (p[i] < level) continue;
    const double l0 = std::log(bers[i - 1]), l1 = std::log(bers[i]);
    const double f = (level - p[i - 1]) / (p[i] - p[i - 1]);
    return std::exp(l0 + f * (l1 - l0));
  }
  return -1;
}

}  // namespace saffire::abft
