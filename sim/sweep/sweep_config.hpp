#pragma once
// SweepConfig: a grid of saffire runs from a TOML file (example: experiments/voltage/sweep.toml).
//
//   [sweep]
//   command = "eval"            # the subcommand every point runs; it must accept --json
//   out = "sweep.h5"            # results file, relative to the config file (--out overrides)
//   jobs = 0                    # points run in parallel (0 = one per core)
//   [fixed]                     # options every point gets: flag = value (true: a bare flag)
//   precision = "w8a8"
//   [grid]                      # every combination of these lists (or {from, to, step} ranges);
//                               # axes and fixed options are taken in key (alphabetical) order
//   voltage = { from = 0.9, to = 0.6, step = -0.01 }
//   abft = ["none", "classic", "statistical"]
//
// A point is the subcommand plus its options; its key is a hash of the canonical option list, so
// re-running a sweep skips the points a results file already holds.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace saffire::sim {

using OptionList = std::vector<std::pair<std::string, std::string>>;  // (flag without "--", value; "" = bare flag)

struct SweepPoint {
  std::size_t index = 0;        // position in grid order
  OptionList options;           // fixed options, then this point's grid values
  OptionList coordinates;       // just the grid values
  std::string key;              // 16 hex digits: hash of command and the sorted options
  /// argv after the binary: command, then --flag [value] ...
  std::vector<std::string> argv(const std::string& command) const;
};

struct SweepConfig {
  std::string command = "eval";
  std::filesystem::path out;  // absolute or relative to the working directory, resolved from the file
  int jobs = 0;
  OptionList fixed;
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;  // axes in key order (TOML tables are unordered)

  /// The product of the axis lengths; ConfigError when it does not fit in int64 or exceeds kMaxPoints.
  std::int64_t point_count() const;
  /// All points, the last axis (in key order) varying fastest (memory checked before allocating).
  std::vector<SweepPoint> points() const;

  /// Every point is a child process: a million of them is already days of runs.
  static constexpr std::int64_t kMaxPoints = 1'000'000;
};

/// Parses a sweep file; errors throw ConfigError naming origin, line and key.
SweepConfig parse_sweep_config(const std::string& toml_text, const std::string& origin,
                               const std::filesystem::path& base_dir);
SweepConfig load_sweep_config(const std::filesystem::path& path);

/// The key of a point of `command` with `options` (order-independent).
std::string point_key(const std::string& command, const OptionList& options);

}  // namespace saffire::sim
