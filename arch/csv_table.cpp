#include "arch/csv_table.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include "arch/config_error.hpp"

namespace saffire {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::string joined(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ",") + f;
  return out;
}

}  // namespace

std::vector<CsvRow> parse_csv_table(const std::string& text, const std::string& origin,
                                    const std::vector<std::string>& header) {
  std::vector<CsvRow> rows;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  bool seen_header = false;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = origin + ":" + std::to_string(line_no);
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) fields.push_back(trim(f));
    if (!seen_header) {
      if (fields != header)
        throw ConfigError(where + ": expected the header '" + joined(header) + "', got '" + line + "'");
      seen_header = true;
      continue;
    }
    if (fields.size() != header.size())
      throw ConfigError(where + ": expected " + std::to_string(header.size()) + " fields (" + joined(header) + "), got " +
                        std::to_string(fields.size()));
    rows.push_back({where, std::move(fields)});
  }
  if (!seen_header) throw ConfigError(origin + ": empty table (expected the header '" + joined(header) + "')");
  return rows;
}

long long csv_integer(const std::string& field, const std::string& where, const char* name, long long lo, long long hi) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (ec != std::errc() || end != field.data() + field.size() || v < lo || v > hi)
    throw ConfigError(where + ": " + name + ": expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                      ", got '" + field + "'");
  return v;
}

double csv_number(const std::string& field, const std::string& where, const char* name) {
  try {
    std::size_t used = 0;
    const double v = std::stod(field, &used);
    if (used == field.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw ConfigError(where + ": " + name + ": expected a number, got '" + field + "'");
}

}  // namespace saffire
