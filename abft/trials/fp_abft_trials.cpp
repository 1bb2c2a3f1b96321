#include "abft/trials/fp_abft_trials.hpp"

#include <Random123/philox.h>
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "abft/fp_checksum.hpp"
#include "abft/fp_detection.hpp"
#include "arch/config_error.hpp"
#include "models/workload/numeric_operands.hpp"
#include "sim/faults/numeric_output_faults.hpp"

namespace saffire::abft {
namespace {

// Site (m, n) of flip `f` of bit `bit` in GEMM `g`: Philox4x32-10 keyed by the seed, counter (g, bit, f, tag).
std::pair<std::int64_t, std::int64_t> site(std::uint64_t seed, int g, int bit, int f, const arch::GemmShape& s) {
  r123::Philox4x32 rng;
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(g), static_cast<std::uint32_t>(bit),
                                           static_cast<std::uint32_t>(f), 0xf1a5u}};
  const r123::Philox4x32::ctr_type r = rng(ctr, key);
  const std::uint64_t a = (std::uint64_t{r.v[0]} << 32) | r.v[1], b = (std::uint64_t{r.v[2]} << 32) | r.v[3];
  return {static_cast<std::int64_t>(a % static_cast<std::uint64_t>(s.m)), static_cast<std::int64_t>(b % static_cast<std::uint64_t>(s.n))};
}

AbftConfig with_scheme(AbftConfig cfg, const char* scheme, double c) {
  cfg.scheme = Scheme::parse(scheme, "fp-abft");
  cfg.fp_tolerance = c;
  return cfg;
}

}  // namespace

void FpTrialSpec::validate() const {
  numerics.validate("arch.");
  if (!numerics.is_float())
    throw ConfigError("--operand-type: fp-abft needs floating-point PEs (fp16, bf16, fp8-e4m3, fp8-e5m2), not " +
                      arch::describe(numerics));
  shape.validate();
  if (shape.m * shape.n * shape.k > (std::int64_t{1} << 26))
    throw ConfigError(fmt::format("--m/--n/--k: m*n*k = {} is above the trials' limit 2^26 (every flip recomputes the checks)",
                                  shape.m * shape.n * shape.k));
  if (tile_cols < 1 || tile_cols > 65536) throw ConfigError("--cols: expected 1..65536 columns per check tile");
  if (gemms < 1 || gemms > 100000) throw ConfigError("--gemms: expected 1..100000");
  if (flips_per_bit < 0 || flips_per_bit > 10000) throw ConfigError("--flips-per-bit: expected 0..10000");
  if (tolerances.empty()) throw ConfigError("--tolerances: give at least one");
  for (double c : tolerances) validate_fp_tolerance(c, "--tolerances");
}

FpTrialResult run_fp_abft_trials(const FpTrialSpec& spec) {
  spec.validate();
  const arch::GemmShape& s = spec.shape;
  const std::size_t T = spec.tolerances.size();
  const int bits = arch::info(spec.numerics.accumulator).bits;
  const BoundModel bm = bound_model(spec.abft);  // [abft] fp_bound: the checks' and "harmful"'s bound
  const RoundingBound rb = rounding_bound(spec.numerics, spec.order, s.k, bm);
  FpTrialResult out;
  out.rounding_steps = rb.roundings;
  out.by_tolerance.resize(T);
  for (std::size_t t = 0; t < T; ++t) out.by_tolerance[t].c = spec.tolerances[t];
  out.by_bit.resize(static_cast<std::size_t>(bits));
  std::vector<std::vector<double>> deviations(static_cast<std::size_t>(bits));
  for (int b = 0; b < bits; ++b) {
    FpBitRow& r = out.by_bit[static_cast<std::size_t>(b)];
    r.bit = b;
    r.field = faults::field_of(spec.numerics.accumulator, b);
    r.detected_classic.assign(T, 0);
    r.detected_statistical.assign(T, 0);
  }
  std::vector<AbftConfig> classic, statistical;
  for (double c : spec.tolerances) {
    classic.push_back(with_scheme(spec.abft, "classic", c));
    statistical.push_back(with_scheme(spec.abft, "statistical", c));
  }
  for (int g = 0; g < spec.gemms; ++g) {
    const models::NumericOperands ops =
        models::random_numeric_operands(s, spec.numerics.operand, spec.seed * 0x9e3779b97f4a7c15ull + static_cast<std::uint64_t>(g));
    std::vector<double> y(static_cast<std::size_t>(s.m * s.n));
    const models::NumericGemmArgs args{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n};
    models::ordered_gemm(args, spec.numerics, spec.order, 1);
    const FpChecksumDeviations clean = fp_checksum_deviations(args, spec.numerics, spec.order, spec.tile_cols, bm);
    for (std::size_t i = 0; i < clean.deviation.size(); ++i) {
      const double bound = clean.tau[i] + clean.check_error[i];
      if (bound > 0) out.worst_fault_free_ratio = std::max(out.worst_fault_free_ratio, std::fabs(clean.deviation[i]) / bound);
    }
    for (std::size_t t = 0; t < T; ++t) {
      FpToleranceRow& row = out.by_tolerance[t];
      row.gemms += 1;
      row.checks += static_cast<std::int64_t>(clean.deviation.size());
      for (std::size_t i = 0; i < clean.deviation.size(); ++i) row.false_alarm_checks += clean.fires(i, row.c);
      row.false_alarm_gemms_classic += decide_fp(classic[t], spec.component, clean).action != Action::Accept;
      row.false_alarm_gemms_statistical += decide_fp(statistical[t], spec.component, clean).action != Action::Accept;
    }
    for (int b = 0; b < bits; ++b) {
      FpBitRow& br = out.by_bit[static_cast<std::size_t>(b)];
      for (int f = 0; f < spec.flips_per_bit; ++f) {
        const auto [i, j] = site(spec.seed, g, b, f, s);
        double& word = y[static_cast<std::size_t>(i * s.n + j)];
        const double before = word;
        word = faults::faulty_numeric_output(spec.numerics, spec.order, args, i, j, b);
        double scale = 0;
        for (std::int64_t k = 0; k < s.k; ++k) scale += std::fabs(ops.x[static_cast<std::size_t>(i * s.k + k)] * ops.w[static_cast<std::size_t>(k * s.n + j)]);
        const double dev = std::fabs(word - before);
        const bool nonfinite = std::isfinite(before) && !std::isfinite(word);
        const bool harmful = nonfinite || dev > rb.gamma * scale + static_cast<double>(rb.roundings) * rb.eta;
        br.flips += 1;
        br.harmful += harmful;
        br.nonfinite += nonfinite;
        if (!nonfinite && std::isfinite(dev)) deviations[static_cast<std::size_t>(b)].push_back(scale > 0 ? dev / scale : dev);
        const FpChecksumDeviations faulty = fp_checksum_deviations(args, spec.numerics, spec.order, spec.tile_cols, bm);
        for (std::size_t t = 0; t < T; ++t) {
          FpToleranceRow& row = out.by_tolerance[t];
          const bool by_classic = decide_fp(classic[t], spec.component, faulty).action != Action::Accept;
          const bool by_statistical = decide_fp(statistical[t], spec.component, faulty).action != Action::Accept;
          row.flips += 1;
          row.harmful += harmful;
          row.missed_classic += !by_classic;
          row.missed_statistical += !by_statistical;
          row.harmful_missed_classic += harmful && !by_classic;
          row.harmful_missed_statistical += harmful && !by_statistical;
          br.detected_classic[t] += by_classic;
          br.detected_statistical[t] += by_statistical;
        }
        word = before;
      }
    }
  }
  for (int b = 0; b < bits; ++b) {
    std::vector<double>& d = deviations[static_cast<std::size_t>(b)];
    if (d.empty()) continue;
    std::sort(d.begin(), d.end());
    out.by_bit[static_cast<std::size_t>(b)].median_relative = d[d.size() / 2];
    out.by_bit[static_cast<std::size_t>(b)].max_relative = d.back();
  }
  return out;
}

}  // namespace saffire::abft
