#pragma once
// Checksums of floating-point GEMMs with a rounding tolerance. In floating point a correct output is
// not exact, so a row check never reads 0; it fires when its deviation exceeds what rounding can explain.
//
// The bound (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., section 3.1, with the
// underflow term of section 2.1). Every rounding of the ordered GEMM (models/gemm/ordered_gemm.hpp) is
// fl(v) = v (1 + delta) + eta_i with |delta| <= u and |eta_i| <= eta / 2 (eta: the smallest subnormal
// spacing; eta_i = 0 unless the result is subnormal). Each product x_k w_k reaches the output through at
// most n roundings, so for every output
//     |y_hat - y| <= gamma_n sum_k |x_k w_k| + n eta,    gamma_n = n u / (1 - n u),
// with u = max(u_acc, u_ob) (u = 2^-p, p the significand bits with the implicit one), eta the larger of
// the two formats' subnormal spacings, and
//     n = OS: K PE steps + 1 product rounding when not fused + 1 output-buffer add;
//         WS: min(R, K) PE steps + 1 when not fused + F = ceil(K / R) buffer adds.
// A row check over the outputs j of one column tile, d = sum_j y_ij - sum_k x_ik (sum_j w_kj), is then
// bounded by tau = gamma_n sum_k |x_ik| sum_j |w_kj| + C_t n eta (C_t the tile's columns), plus the error
// of evaluating the check itself in double (gamma_{K+C_t+1}(2^-53) times the same sums, and
// gamma_{C_t}(2^-53) sum_j |y_ij|). The check fires at tolerance c when |d| > c * tau + that double error,
// or when d is not finite. c = 1 is the worst case: fault-free GEMMs never fire; typical rounding errors
// are far below it (random-walk growth ~ sqrt(n) u), so c < 1 trades false alarms for fewer misses.
#include <cstdint>
#include <vector>

#include "arch/numerics/pe_numerics.hpp"
#include "models/gemm/ordered_gemm.hpp"

namespace saffire::abft {

/// u = 2^-p of a floating-point format (p: significand bits incl. the implicit one); fp32 2^-24.
double unit_roundoff(arch::NumberFormat f);
/// The spacing of a floating-point format's subnormals, 2^(emin - p + 1); fp32 2^-149.
double subnormal_spacing(arch::NumberFormat f);
/// gamma_n(u) = n u / (1 - n u); +infinity when n u >= 1 (no bound).
double gamma(std::int64_t n, double u);

/// The probabilistic bound of Higham & Mary (SIAM J. Sci. Comput. 41(5), 2019, Theorem 2.4 and its inner
/// products, Theorem 3.1): with the n rounding errors independent, of mean zero and |delta| <= u,
///   |y_hat - y| <= gamma~_n(lambda) sum_k |x_k w_k|,  gamma~_n(lambda) = exp(lambda sqrt(n) u + n u^2 / (1 - u)) - 1,
/// holds with probability at least 1 - 2 n exp(-lambda^2 (1 - u)^2 / 2) per output. Finite for every n, so a
/// BF16 accumulator over K = 512 (n u >= 1: gamma_n infinite) still has a bound; the independence is a model.
double gamma_probabilistic(std::int64_t n, double u, double lambda);
/// The bound's failure probability per output, min(1, 2 n exp(-lambda^2 (1 - u)^2 / 2)).
double probabilistic_failure(std::int64_t n, double u, double lambda);

/// Which rounding bound the checks use (AbftConfig fp_bound, fp_lambda).
struct BoundModel {
  bool probabilistic = false;
  double lambda = 6.0;
};

/// The per-output rounding bound of a PE design in an order, for reduction length k.
struct RoundingBound {
  std::int64_t roundings = 0;  // n
  double u = 0;                // max(u_acc, u_ob)
  double eta = 0;              // max subnormal spacing
  double gamma = 0;            // gamma_n(u), or gamma~_n(lambda) under the probabilistic model
  double failure = 0;          // per output: 0 (deterministic) or probabilistic_failure(n, u, lambda)
};
RoundingBound rounding_bound(const arch::PeNumerics& numerics, const models::AccumulationOrder& order, std::int64_t k,
                             const BoundModel& model = {});

/// One GEMM's floating-point row checks, one per (column tile t, output row i), tile-major like
/// ChecksumDeviations: index t * rows + i.
struct FpChecksumDeviations {
  std::int64_t tiles = 0, rows = 0, tile_cols = 0;
  std::vector<double> deviation;   // d, in double
  std::vector<double> tau;         // the rounding bound at c = 1 (without the check's own error)
  std::vector<double> check_error; // the bound of d's own evaluation in double
  std::vector<double> magnitude;   // sum_k |x_ik| sum_j |w_kj|, the check's scale
  double u = 0;                    // the bound's unit roundoff (RoundingBound::u)
  /// Whether check `index` fires at tolerance c (> 0).
  bool fires(std::size_t index, double c) const;
  /// The excess of |d| over the threshold at tolerance c, signed like d (0 when it does not fire; the
  /// deviation itself when d is not finite): what the statistical rule sees in floating point.
  double residual(std::size_t index, double c) const;
};

/// The checks of args.y (the array's output) against args.x, args.w, tiles of `tile_cols` columns.
/// `model`: the bound of tau (a check over C_t outputs holds with probability >= 1 - C_t * failure).
FpChecksumDeviations fp_checksum_deviations(const models::NumericGemmArgs& args, const arch::PeNumerics& numerics,
                                            const models::AccumulationOrder& order, std::int64_t tile_cols,
                                            const BoundModel& model = {});

/// The tolerance c of `key` (e.g. "abft.fp_tolerance"): throws ConfigError "<key>: expected a tolerance > 0
/// (the multiple of the rounding bound), got ..." unless finite and > 0.
void validate_fp_tolerance(double c, const char* key);

}  // namespace saffire::abft
