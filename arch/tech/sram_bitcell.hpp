#pragma once
// SramFailureCurve: the probability that one SRAM bit cell fails (reads or holds the wrong value) at a
// supply V, the input of the SRAM fault model (sim/faults/sram_faults.hpp). Two forms:
//
//  - gaussian_vmin(mean, sigma): every cell has its own minimum operating voltage, normally distributed
//    across the array (random dopant fluctuation dominates a 6T cell's Vmin); a cell fails below it:
//        p(V) = P(Vmin > V) = Q((V - mean) / sigma) = erfc((V - mean) / (sigma sqrt 2)) / 2.
//    The default (mean 0.3455 V, sigma 50 mV) passes through p = 1e-3 at 0.5 V, the 65 nm 6T figure of
//    Wilkerson et al., "Trading off Cache Capacity for Reliability to Enable Low Voltage Operation"
//    (ISCA 2008), with a 50 mV per-cell spread (our choice): 2e-5 at 0.55 V, 2e-7 at 0.6 V, 7e-13 at 0.7 V.
//  - a user table (CSV `voltage,probability`): the chip's own characterization, interpolated log-linearly
//    between tabulated voltages (linearly next to a zero); a voltage outside the table is an error.
#include <filesystem>
#include <string>
#include <vector>

namespace saffire::arch {

struct SramFailurePoint {
  double voltage = 0;      // V
  double probability = 0;  // per bit cell, [0, 1]
};

inline constexpr double kDefaultSramVminMean = 0.3455;  // V
inline constexpr double kDefaultSramVminSigma = 0.05;   // V

class SramFailureCurve {
 public:
  /// The Gaussian Vmin model; ConfigError unless 0 < mean < 2 V and 0 < sigma < 1 V.
  static SramFailureCurve gaussian_vmin(double mean_v = kDefaultSramVminMean, double sigma_v = kDefaultSramVminSigma);
  /// A table (at least one point, strictly increasing voltages, probabilities in [0, 1]); `origin` names it.
  static SramFailureCurve table(std::vector<SramFailurePoint> points, const std::string& origin);
  /// The bit-cell failure probability at `v` V; ConfigError for a table voltage outside its range.
  double probability(double v) const;
  /// "gaussian Vmin (mean 0.3455 V, sigma 0.05 V)" or "table FILE (0.45 .. 0.7 V)".
  std::string describe() const;

 private:
  bool m_gaussian = true;
  double m_mean = kDefaultSramVminMean, m_sigma = kDefaultSramVminSigma;
  std::vector<SramFailurePoint> m_points;
  std::string m_origin;
};

/// A CSV with the header `voltage,probability` (arch/csv_table: '#' comments, blank lines); errors name
/// `origin` and the line: a field that is not a number, a voltage outside (0, 5] V or given twice, a
/// probability outside [0, 1], no rows.
SramFailureCurve parse_sram_failure_table(const std::string& csv_text, const std::string& origin);
SramFailureCurve load_sram_failure_table(const std::filesystem::path& path);

}  // namespace saffire::arch
