#include "abft/fp_checksum.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "arch/config_error.hpp"

namespace saffire::abft {
namespace {

constexpr double kDoubleU = 0x1p-53;
// The bounds are themselves evaluated in double: a relative margin far above their few roundings.
constexpr double kMargin = 1.0 + 1e-12;

}  // namespace

double unit_roundoff(arch::NumberFormat f) { return std::ldexp(1.0, -arch::info(f).precision); }

double subnormal_spacing(arch::NumberFormat f) {
  const arch::FormatInfo& in = arch::info(f);
  return std::ldexp(1.0, in.emin - in.precision + 1);
}

double gamma(std::int64_t n, double u) {
  const double nu = static_cast<double>(n) * u;
  return nu >= 1 ? std::numeric_limits<double>::infinity() : nu / (1 - nu);
}

double gamma_probabilistic(std::int64_t n, double u, double lambda) {
  const double nd = static_cast<double>(n);
  return std::expm1(lambda * std::sqrt(nd) * u + nd * u * u / (1 - u));
}

double probabilistic_failure(std::int64_t n, double u, double lambda) {
  const double l = lambda * (1 - u);
  return std::min(1.0, 2.0 * static_cast<double>(n) * std::exp(-l * l / 2));
}

RoundingBound rounding_bound(const arch::PeNumerics& numerics, const models::AccumulationOrder& order, std::int64_t k,
                             const BoundModel& model) {
  if (!numerics.is_float()) throw ConfigError("arch.accumulator_type: floating-point checksums need a floating-point accumulator, not " +
                                              std::string(arch::to_string(numerics.accumulator)));
  RoundingBound b;
  const std::int64_t product = numerics.fma ? 0 : 1;
  if (order.dataflow == arch::Dataflow::OS) {
    b.roundings = k + product + 1;
  } else {
    const std::int64_t r = std::max<std::int64_t>(order.fold_rows, 1);
    b.roundings = std::min(r, k) + product + (k + r - 1) / r;
  }
  b.u = std::max(unit_roundoff(numerics.accumulator), unit_roundoff(numerics.output_buffer));
  b.eta = std::max(subnormal_spacing(numerics.accumulator), subnormal_spacing(numerics.output_buffer));
  if (model.probabilistic) {
    if (!(model.lambda > 0)) throw std::invalid_argument("rounding_bound: lambda must be > 0");
    b.gamma = gamma_probabilistic(b.roundings, b.u, model.lambda);
    b.failure = probabilistic_failure(b.roundings, b.u, model.lambda);
  } else {
    b.gamma = gamma(b.roundings, b.u);
  }
  return b;
}

bool FpChecksumDeviations::fires(std::size_t i, double c) const {
  const double d = deviation[i];
  return !std::isfinite(d) || std::fabs(d) > c * tau[i] + check_error[i];
}

double FpChecksumDeviations::residual(std::size_t i, double c) const {
  const double d = deviation[i];
  if (!std::isfinite(d)) return d;
  const double excess = std::fabs(d) - (c * tau[i] + check_error[i]);
  return excess > 0 ? std::copysign(excess, d) : 0.0;
}

FpChecksumDeviations fp_checksum_deviations(const models::NumericGemmArgs& a, const arch::PeNumerics& numerics,
                                            const models::AccumulationOrder& order, std::int64_t tile_cols,
                                            const BoundModel& model) {
  if (tile_cols < 1) throw std::invalid_argument("fp_checksum_deviations: tile_cols must be >= 1");
  const RoundingBound rb = rounding_bound(numerics, order, a.k, model);
  FpChecksumDeviations out;
  out.rows = a.m;
  out.tile_cols = tile_cols;
  out.tiles = (a.n + tile_cols - 1) / tile_cols;
  const std::size_t checks = static_cast<std::size_t>(out.tiles * a.m);
  out.deviation.resize(checks);
  out.tau.resize(checks);
  out.check_error.resize(checks);
  out.magnitude.resize(checks);
  out.u = rb.u;
  std::vector<double> wsum(static_cast<std::size_t>(a.k)), wabs(static_cast<std::size_t>(a.k));
  for (std::int64_t t = 0; t < out.tiles; ++t) {
    const std::int64_t j0 = t * tile_cols, j1 = std::min(a.n, j0 + tile_cols), cols = j1 - j0;
    // The weight tile's row sums (the checksum PE column's operand) and their magnitudes.
    for (std::int64_t k = 0; k < a.k; ++k) {
      double s = 0, sa = 0;
      for (std::int64_t j = j0; j < j1; ++j) {
        s += a.w[k * a.ldw + j];
        sa += std::fabs(a.w[k * a.ldw + j]);
      }
      wsum[static_cast<std::size_t>(k)] = s;
      wabs[static_cast<std::size_t>(k)] = sa;
    }
    const double g_pred = gamma(a.k + cols + 1, kDoubleU), g_act = gamma(cols, kDoubleU);
    for (std::int64_t i = 0; i < a.m; ++i) {
      double predicted = 0, magnitude = 0;
      for (std::int64_t k = 0; k < a.k; ++k) {
        const double x = a.x[i * a.ldx + k];
        predicted += x * wsum[static_cast<std::size_t>(k)];
        magnitude += std::fabs(x) * wabs[static_cast<std::size_t>(k)];
      }
      double actual = 0, actual_abs = 0;
      for (std::int64_t j = j0; j < j1; ++j) {
        actual += a.y[i * a.ldy + j];
        actual_abs += std::fabs(a.y[i * a.ldy + j]);
      }
      const std::size_t idx = static_cast<std::size_t>(t * a.m + i);
      out.deviation[idx] = actual - predicted;
      out.magnitude[idx] = magnitude;
      out.tau[idx] = (rb.gamma * magnitude + static_cast<double>(cols * rb.roundings) * rb.eta) * kMargin;
      // The subtraction actual - predicted adds one double rounding of |d| (u |d| <= u (|actual| + |predicted|)).
      out.check_error[idx] =
          ((g_pred + kDoubleU) * magnitude * (1 + g_pred) + (g_act + kDoubleU) * actual_abs * (1 + g_act)) * kMargin;
    }
  }
  return out;
}

void validate_fp_tolerance(double c, const char* key) {
  if (!(std::isfinite(c) && c > 0))
    throw ConfigError(fmt::format("{}: expected a tolerance > 0 (the multiple of the rounding bound gamma_n sum |x||w|), got {}",
                                  key, c));
}

}  // namespace saffire::abft
