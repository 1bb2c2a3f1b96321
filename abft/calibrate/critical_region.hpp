#pragma once
// The critical region of ReaLM's statistical ABFT, fitted from a calibration grid of magnitude-fault
// runs (sim/faults/magnitude_fault_engine.hpp), and the TOML file that holds the fitted constants.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "abft/abft_config.hpp"
#include "models/engine/gemm_id.hpp"

namespace saffire::abft {

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
std::string calibration_toml(std::span<const std::pair<models::Component, StatisticalConstants>> tables,
                             std::span<const std::string> comments);

}  // namespace saffire::abft
