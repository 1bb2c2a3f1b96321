#pragma once
// Permanent (stuck-at) faults: chosen bits of chosen PEs stuck at 0 or 1 at the output of the PE's
// accumulate adder, i.e. in every value the PE writes to its accumulator (OS) or partial-sum register
// (WS). Every valid accumulate of a faulty PE latches force(sum) = (sum & ~zero_mask) | one_mask,
// in every GEMM mapped through it. (Reset and the OS drain shift do not pass the adder: unaffected.)
//
// Sources: an explicit list (`--stuck ROW,COL,BIT,VALUE`), a CSV file with the same columns (header
// `row,col,bit,value`, '#' comments), or a fraction of the PEs drawn from the campaign seed
// (counter-based: PE (r, c) is faulty iff its own Philox draw says so, whatever the array's order).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace saffire::faults {

struct StuckBit {
  int row = 0, col = 0;  // PE
  int bit = 0;           // accumulator bit 0..31
  int value = 0;         // 0 or 1
  bool operator==(const StuckBit&) const = default;
};

class StuckAtMap {
 public:
  /// Throws ConfigError naming `origin` and the entry when a PE is outside rows x cols, a bit outside
  /// 0..31, a value other than 0/1, or one bit is stuck both at 0 and at 1.
  StuckAtMap(int rows, int cols, std::vector<StuckBit> bits, const std::string& origin = "--stuck");

  int rows() const { return m_rows; }
  int cols() const { return m_cols; }
  const std::vector<StuckBit>& bits() const { return m_bits; }
  bool empty() const { return m_bits.empty(); }
  /// PEs (row, col) with at least one stuck bit, row-major, each once.
  const std::vector<std::pair<int, int>>& faulty_pes() const { return m_pes; }
  /// Whether PE column c (WS: the partial sums of that column) has any faulty PE.
  bool column_faulty(int c) const { return m_column_faulty[static_cast<std::size_t>(c)] != 0; }

  bool faulty(int r, int c) const { return (m_zero[index(r, c)] | m_one[index(r, c)]) != 0; }
  /// The value PE (r, c) latches for `sum`.
  std::uint32_t force(int r, int c, std::uint32_t sum) const {
    const std::size_t i = index(r, c);
    return (sum & ~m_zero[i]) | m_one[i];
  }

 private:
  std::size_t index(int r, int c) const { return static_cast<std::size_t>(r) * static_cast<std::size_t>(m_cols) + static_cast<std::size_t>(c); }
  int m_rows, m_cols;
  std::vector<StuckBit> m_bits;
  std::vector<std::uint32_t> m_zero, m_one;  // (rows, cols) row-major: bits stuck at 0 / at 1
  std::vector<std::pair<int, int>> m_pes;
  std::vector<std::uint8_t> m_column_faulty;
};

/// Parses "ROW,COL,BIT,VALUE" (one --stuck value); throws ConfigError naming `origin`.
StuckBit parse_stuck_bit(const std::string& text, const std::string& origin);
/// Reads a stuck-at CSV (header row,col,bit,value); throws ConfigError naming file, line and field.
std::vector<StuckBit> read_stuck_csv(const std::filesystem::path& path);
/// A fraction p of the rows x cols PEs, each with one stuck bit (uniform 0..31) at a uniform value,
/// drawn per PE from `seed`: PE (r, c)'s draw depends only on (seed, r, c).
std::vector<StuckBit> random_stuck_bits(int rows, int cols, double fraction, std::uint64_t seed);

}  // namespace saffire::faults
