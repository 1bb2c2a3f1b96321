#pragma once
// DetectionPolicy: one detection scheme. It decides, from the checksum deviations of one decision scope
// (a whole GEMM or one output-column tile), whether the output is accepted, corrected in place,
// recomputed, or (ThUnderVolt) repaired by dropping the faulty MACs; and it declares what the scheme
// needs (column checks, a duplicate, Razor flags), the cycles it adds to every fold and its hardware
// (arch cost items, priced by arch/tech/array_cost). One implementation per file in abft/detect/impl/,
// chosen by name (Scheme) in detection_factory.cpp.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/detect/scheme.hpp"
#include "arch/array_config.hpp"
#include "arch/gemm_shape.hpp"
#include "arch/tech/array_cost.hpp"
#include "arch/tech/tech_table.hpp"
#include "models/engine/gemm_id.hpp"

namespace saffire::abft {

/// What a policy sees of one scope.
struct DetectionInput {
  models::Component component = models::Component::Q;
  std::span<const std::int32_t> row_deviations;  // the scope's row checks (tile-major, see ChecksumDeviations)
  std::int64_t rows = 0;                         // output rows per tile (row_deviations.size() / rows tiles)
  std::int64_t first_tile = 0;                   // tile index of row_deviations[0]
  std::int64_t tile_cols = 0;                    // C
  std::span<const std::int32_t> col_deviations;  // the scope's column checks (needs_columns), from column first_col
  std::int64_t first_col = 0;
  std::int64_t mismatched_words = 0;             // DMR: words that differ from the duplicate (needs_duplicate)
  std::int64_t flagged_macs = 0;                 // ThUnderVolt: accumulates its Razor flip-flops flagged (needs_razor_flags)
};

enum class Action { Accept, Correct, Recompute, DropFaultyMacs };
/// "accept", "correct", "recompute", "drop" (the spelling of traces' /abft table).
std::string_view to_string(Action a);

struct Correction {
  std::int64_t m = 0, n = 0;  // GEMM coordinates of the word
  std::int32_t deviation = 0; // subtract it (wrap-around) to restore the word
};

struct Decision {
  Action action = Action::Accept;
  double msd = 0;           // |sum of the row deviations| (signed sum, then magnitude)
  double theta_mag = 0;     // statistical: the magnitude threshold (0 for other policies)
  std::int64_t freq = 0;    // deviations above theta_mag (statistical), nonzero deviations (others)
  std::vector<Correction> corrections;  // Action::Correct
};

/// Hardware choices of the checksum schemes (saffire overhead --two-sided); pricing only, decide()
/// does not change.
struct HardwareOptions {
  // classic, approxabft and statistical: also build the column checksums e^T Y vs (e^T X) W (the
  // hardware classic-correct always has), so that row and column deviations are both counted.
  bool two_sided = false;
};

/// What a scheme's hardware is counted for: the array, its representative fold and the options.
struct HardwareContext {
  arch::ArrayConfig array;
  arch::Workload load;
  arch::FoldActivity fold;  // arch::fold_activity(array, load.stream): P cycles, utilization u = S / P
  HardwareOptions options;
};

class DetectionPolicy {
 public:
  virtual ~DetectionPolicy() = default;
  /// The scheme's name, its row in detection_factory.cpp.
  virtual std::string_view name() const = 0;
  /// Contract: a pure function of `in`; called once per scope (and again after each recomputation).
  virtual Decision decide(const DetectionInput& in) const = 0;
  /// Whether decide() needs column checks (the hardware has both checksum directions).
  virtual bool needs_columns() const { return false; }
  /// Whether decide() needs the duplicate's comparison (DMR).
  virtual bool needs_duplicate() const { return false; }
  /// Whether decide() needs the Razor flags of the faulty accumulates (ThUnderVolt).
  virtual bool needs_razor_flags() const { return false; }
  /// Whether the scheme checks at all. False (none): the engine accepts every scope without computing
  /// its deviations.
  virtual bool detects() const { return true; }
  /// Whether decide() works from the checksum deviations alone (abft-prob's trials need that).
  bool decides_from_checksums() const { return !needs_duplicate() && !needs_razor_flags(); }

  // --- Hardware (arch/tech/README.md describes each scheme's) ---
  /// Contract: the bill of materials of the scheme's extra hardware on ctx.array (unpriced cost items,
  /// ops_per_cycle averaged over ctx.fold); empty for none. Called with a validated array and workload.
  virtual std::vector<arch::CostItem> hardware_items(const HardwareContext& ctx) const = 0;
  /// Cycles the scheme adds to every fold on `array` (0 unless it streams extra rows through the array).
  virtual std::int64_t extra_cycles_per_fold(const arch::ArrayConfig& /*array*/, const HardwareOptions& /*opt*/) const {
    return 0;
  }
  /// Whether the hardware is part of the underscaled array whatever detection_at_nominal says (a DMR
  /// copy, Razor flip-flops) rather than checksum units that may sit in a nominal-voltage domain.
  virtual bool hardware_at_array_voltage() const { return false; }

  /// The above as arch prices it, for `load`'s representative fold (ConfigError on a bad array or load).
  arch::DetectionHardware hardware(const arch::ArrayConfig& array, const arch::Workload& load = {},
                                   const HardwareOptions& opt = {}) const;
  /// hardware() for the fold of one GEMM (arch::gemm_workload): GemmEnergyInput::detection.
  arch::DetectionHardware gemm_hardware(const arch::ArrayConfig& array, const arch::GemmShape& shape,
                                        double pe_data_activity = 1.0, const HardwareOptions& opt = {}) const;
};

/// The policy of cfg.scheme (ConfigError on a bad config).
std::unique_ptr<DetectionPolicy> make_detection_policy(const AbftConfig& cfg);
/// The policy of `scheme` with the default AbftConfig (its hardware, for pricing).
std::unique_ptr<DetectionPolicy> make_detection_policy(Scheme scheme);

/// The priced extra hardware of `scheme` (its policy with the default constants), with its extra cycles
/// per fold: the rows of `saffire overhead`.
arch::Cost scheme_cost(Scheme scheme, const arch::ArrayConfig& array, const arch::TechTable& tech,
                       const arch::Workload& load = {}, const HardwareOptions& opt = {});

/// MSD = |sum of deviations| (each deviation a signed INT32, summed exactly in 64 bits).
double matrix_sum_deviation(std::span<const std::int32_t> deviations);
/// The number of nonzero deviations.
std::int64_t count_nonzero(std::span<const std::int32_t> deviations);

}  // namespace saffire::abft
