#pragma once
// The `table` fault model: per-bit error probabilities per supply voltage, from a CSV file the user
// supplies (their own gate-level characterization of the PE accumulator).
//
// CSV format: a header line `voltage,bit,probability`, then one row per (voltage, bit) pair; bits
// not listed for a voltage have probability 0; '#' starts a comment line. `probability` is the chance
// that an output word's accumulator has bit `bit` (0..31) flipped at that voltage. A word gets at most
// one flip, so the probabilities of one voltage must sum to <= 1: a word is faulty with probability
// sum_j p_j, and its bit is j with probability p_j / sum_j p_j. Faults land where the bitflip model
// puts them (sim/faults/bitflip_fault.hpp) and are sampled the same way (counter-based, O(faults)).
//
// Between two tabulated voltages each p_j is interpolated linearly in log(p) (error rates change
// exponentially with voltage), or linearly when either end is 0; outside the table is an error.
//
// Usage:
//   const BitErrorTable t = BitErrorTable::load("chip.csv");
//   BitflipConfig cfg = t.bitflip_config(0.72, seed);   // then sample_output_faults(cfg, ...)
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sim/faults/bitflip_fault.hpp"

namespace saffire::faults {

class BitErrorTable {
 public:
  /// Parses CSV text; errors throw ConfigError naming `origin`, the line and the field.
  static BitErrorTable parse(const std::string& csv_text, const std::string& origin);
  static BitErrorTable load(const std::filesystem::path& path);

  /// The tabulated voltages, ascending.
  std::vector<double> voltages() const;
  /// p_j at voltage v (interpolated); throws ConfigError when v is outside the table.
  std::array<double, 32> probabilities_at(double v) const;
  /// An output-word fault model with those probabilities: ber = sum_j p_j, bit_weights = p.
  BitflipConfig bitflip_config(double v, std::uint64_t seed) const;

 private:
  std::string m_origin;
  std::map<double, std::array<double, 32>> m_rows;  // voltage -> p_j
};

}  // namespace saffire::faults
