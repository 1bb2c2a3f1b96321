#pragma once
// AbftConfig: which detection scheme guards the array, at what granularity it decides, how it
// recovers, and the constants of ReaLM's statistical rule per component class. Read from the [abft]
// table of a TOML file (example and every key: experiments/configs/abft.toml).
#include <array>
#include <bitset>
#include <filesystem>
#include <string>

#include "abft/detect/scheme.hpp"
#include "models/engine/gemm_id.hpp"

namespace saffire::abft {

/// ReaLM's statistical rule for one component (background.md section 2):
///   MSD = |sum of deviations|, log2 theta_mag = b - (a - 1) log2 MSD,
///   freq = #deviations with |d| > theta_mag, recover iff log2 freq > theta_freq.
/// line_only (sensitive components): recover iff freq >= 1 (no frequency floor).
struct StatisticalConstants {
  double a = 1.273;
  double b = 20.076;
  double theta_freq = 5.951;
  bool line_only = false;
  bool operator==(const StatisticalConstants&) const = default;
};

// Decide (and recompute) per GEMM, per output-column tile, or per fold (OS: one (row tile, column tile)
// fold; WS: a column tile, whose checks complete when its last reduction fold drains).
enum class DecisionScope { Gemm, Tile, Fold };
enum class RecoverAt { Nominal, SameVoltage };
// Where a PE column with a permanent fault goes (abft/recover/pe_remapper.hpp).
enum class RemapTo { SpareColumn, ExtraFold };
// Where the checksums' operands come from: the scratchpads, as the PEs read them (the checksum column and
// weight-sum row of abft/detect sit beside the array), or before them (weight checksums precomputed
// offline from the true weights, activation checksums where the producer writes them). Only SRAM errors
// tell them apart: a checksum of the SRAM copy agrees with an array that computed on that copy.
enum class ChecksumsFrom { Sram, BeforeSram };
// The rounding bound of floating-point checks (abft/fp_checksum.hpp).
enum class FpBound { Deterministic, Probabilistic };

struct AbftConfig {
  Scheme scheme;  // "none"
  DecisionScope scope = DecisionScope::Gemm;
  RecoverAt recover_at = RecoverAt::Nominal;
  int max_retries = 2;  // same-voltage recomputations before falling back to nominal voltage
  // The checksum units share the array's underscaled supply (timing model campaigns only); default:
  // they sit in their own nominal-voltage domain and never err.
  bool checksums_exposed = false;
  // Permanent faults: remap a PE column behind repaired words in this many consecutive checked GEMMs
  // (0: never), to a spare column or into more folds.
  int remap_after = 0;
  RemapTo remap_to = RemapTo::SpareColumn;
  ChecksumsFrom checksums_from = ChecksumsFrom::Sram;
  // Floating-point PEs: a row check fires when |d| > fp_tolerance * the rounding bound gamma_n sum |x||w|
  // (abft/fp_checksum.hpp); 1 is the worst case (no false alarm), smaller values detect more and may
  // false-alarm. Must be > 0.
  double fp_tolerance = 1.0;
  // The rounding bound of those checks: deterministic (gamma_n, Higham's worst case; infinite once n u >= 1)
  // or probabilistic (Higham & Mary 2019: exp(lambda sqrt(n) u + n u^2 / (1 - u)) - 1 ~ lambda sqrt(n) u, each
  // output within it with probability >= 1 - 2 n exp(-lambda^2 (1 - u)^2 / 2); fp_lambda > 0).
  FpBound fp_bound = FpBound::Deterministic;
  double fp_lambda = 6.0;
  // Statistical constants per component (Q, K, V, O, Gate, Up, Down: ReaLM's linear-layer fit on
  // OPT-1.3B k_proj; QK, PV: its attention fit; O and Down are sensitive: the line only).
  std::array<StatisticalConstants, models::kNumComponents> constants = default_constants();

  static std::array<StatisticalConstants, models::kNumComponents> default_constants();
  const StatisticalConstants& constants_for(models::Component c) const {
    return constants[static_cast<std::size_t>(c)];
  }
  /// Throws ConfigError naming the key ("abft.<key>").
  void validate() const;
  /// Floating-point PEs check with none, classic or statistical (the schemes whose checksums have a
  /// floating-point form here); throws ConfigError "abft.scheme: ..." for the others.
  void validate_for_float() const;
};

std::string_view to_string(DecisionScope s);  // "gemm", "tile", "fold"
std::string_view to_string(RecoverAt r);      // "nominal", "same-voltage"
std::string_view to_string(RemapTo r);        // "spare-column", "extra-fold"
std::string_view to_string(ChecksumsFrom c);  // "sram", "before-sram"
std::string_view to_string(FpBound b);        // "deterministic", "probabilistic"

/// Reads the [abft] table (missing keys keep their defaults; no table: the defaults). Keys: scheme,
/// scope, recover_at, max_retries, and per-class or per-component constant tables
/// [abft.linear], [abft.attention], [abft.component.<name>] with a, b, theta_freq, line_only.
/// Unknown keys, wrong types and bad values throw ConfigError naming origin, line and key.
AbftConfig parse_abft_config(const std::string& toml_text, const std::string& origin);
AbftConfig load_abft_config(const std::filesystem::path& path);

/// The config as TOML (an [abft] table and one [abft.component.<name>] table per component).
std::string to_toml(const AbftConfig& cfg);

}  // namespace saffire::abft
