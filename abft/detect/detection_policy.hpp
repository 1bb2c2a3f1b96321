#pragma once
// DetectionPolicy: decides, from the checksum deviations of one decision scope (a whole GEMM or one
// output-column tile), whether the output is accepted, corrected in place, recomputed, or (ThUnderVolt)
// repaired by dropping the faulty MACs. Implementations in abft/detect/impl/, chosen by name in
// detection_factory.cpp.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "abft/abft_config.hpp"
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
  std::int64_t flagged_macs = 0;                 // ThUnderVolt: accumulates its Razor flip-flops flagged
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

class DetectionPolicy {
 public:
  virtual ~DetectionPolicy() = default;
  virtual std::string_view name() const = 0;
  /// Contract: a pure function of `in`; called once per scope (and again after each recomputation).
  virtual Decision decide(const DetectionInput& in) const = 0;
  /// Whether decide() needs column checks (the hardware has both checksum directions).
  virtual bool needs_columns() const { return false; }
  /// Whether decide() needs the duplicate's comparison (DMR).
  virtual bool needs_duplicate() const { return false; }
};

/// The policy of cfg.scheme (ConfigError on a bad config).
std::unique_ptr<DetectionPolicy> make_detection_policy(const AbftConfig& cfg);

/// MSD = |sum of deviations| (each deviation a signed INT32, summed exactly in 64 bits).
double matrix_sum_deviation(std::span<const std::int32_t> deviations);

}  // namespace saffire::abft
