#include "sim/faults/stuck_at.hpp"

#include <Random123/philox.h>

#include <algorithm>

#include "arch/config_error.hpp"
#include "arch/csv_table.hpp"
#include "arch/toml_file.hpp"

namespace saffire::faults {
namespace {

std::string describe(const StuckBit& s) {
  return std::to_string(s.row) + "," + std::to_string(s.col) + "," + std::to_string(s.bit) + "," + std::to_string(s.value);
}

}  // namespace

StuckAtMap::StuckAtMap(int rows, int cols, std::vector<StuckBit> bits, const std::string& origin)
    : m_rows(rows), m_cols(cols), m_bits(std::move(bits)) {
  if (rows <= 0 || cols <= 0) throw ConfigError(origin + ": the array must have at least one PE");
  const std::size_t pes = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  m_zero.assign(pes, 0);
  m_one.assign(pes, 0);
  m_column_faulty.assign(static_cast<std::size_t>(cols), 0);
  for (const StuckBit& s : m_bits) {
    if (s.row < 0 || s.row >= rows || s.col < 0 || s.col >= cols)
      throw ConfigError(origin + ": PE (" + std::to_string(s.row) + ", " + std::to_string(s.col) + ") is outside the " +
                        std::to_string(rows) + "x" + std::to_string(cols) + " array");
    if (s.bit < 0 || s.bit > 31) throw ConfigError(origin + ": bit " + std::to_string(s.bit) + ": expected 0..31");
    if (s.value != 0 && s.value != 1) throw ConfigError(origin + ": value " + std::to_string(s.value) + ": expected 0 or 1");
    const std::size_t i = index(s.row, s.col);
    const std::uint32_t mask = 1u << s.bit;
    if ((s.value ? m_zero[i] : m_one[i]) & mask)
      throw ConfigError(origin + ": " + describe(s) + ": that bit is also stuck at " + std::to_string(1 - s.value));
    (s.value ? m_one[i] : m_zero[i]) |= mask;
    m_column_faulty[static_cast<std::size_t>(s.col)] = 1;
  }
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      if (faulty(r, c)) m_pes.emplace_back(r, c);
}

StuckBit parse_stuck_bit(const std::string& text, const std::string& origin) {
  std::vector<std::string> f;
  std::size_t start = 0;
  for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
    f.push_back(text.substr(start, comma - start));
  f.push_back(text.substr(start));
  const std::string where = origin + " '" + text + "'";
  if (f.size() != 4) throw ConfigError(where + ": expected ROW,COL,BIT,VALUE (4 fields), got " + std::to_string(f.size()));
  return {static_cast<int>(csv_integer(f[0], where, "row", 0, 1 << 20)),
          static_cast<int>(csv_integer(f[1], where, "col", 0, 1 << 20)),
          static_cast<int>(csv_integer(f[2], where, "bit", 0, 31)), static_cast<int>(csv_integer(f[3], where, "value", 0, 1))};
}

std::vector<StuckBit> read_stuck_csv(const std::filesystem::path& path) {
  const std::string origin = path.string();
  std::vector<StuckBit> bits;
  for (const CsvRow& r : parse_csv_table(read_text_file(path, "stuck-at file"), origin, {"row", "col", "bit", "value"}))
    bits.push_back({static_cast<int>(csv_integer(r.fields[0], r.where, "row", 0, 1 << 20)),
                    static_cast<int>(csv_integer(r.fields[1], r.where, "col", 0, 1 << 20)),
                    static_cast<int>(csv_integer(r.fields[2], r.where, "bit", 0, 31)),
                    static_cast<int>(csv_integer(r.fields[3], r.where, "value", 0, 1))});
  return bits;
}

std::vector<StuckBit> random_stuck_bits(int rows, int cols, double fraction, std::uint64_t seed) {
  if (!(fraction >= 0.0 && fraction <= 1.0))
    throw ConfigError("--stuck-fraction: expected a fraction in [0, 1], got " + std::to_string(fraction));
  r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  std::vector<StuckBit> bits;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      // One counter per PE, tagged: PE (r, c)'s fate depends on (seed, r, c) only.
      const r123::Philox4x32::ctr_type ctr{{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(c), 0x57C4u, 0}};
      const auto u = philox(ctr, key);
      const double draw = (static_cast<double>(u[0]) + 0.5) / 4294967296.0;
      if (draw < fraction) bits.push_back({r, c, static_cast<int>(u[1] % 32u), static_cast<int>(u[2] & 1u)});
    }
  return bits;
}

}  // namespace saffire::faults
