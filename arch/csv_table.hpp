#pragma once
// The small CSV files users write by hand (fault tables, stuck-at lists): a fixed header line, then
// rows of comma-separated fields; blank lines and '#' comment lines are skipped, fields are trimmed.
// Errors name the origin and line ("chip.csv:4: ...") and throw ConfigError.
#include <string>
#include <vector>

namespace saffire {

struct CsvRow {
  std::string where;                // "origin:line", for messages
  std::vector<std::string> fields;  // as many as the header has (checked)
};

/// The data rows of `text`; its first non-comment line must equal `header` (e.g. {"row","col","bit","value"}).
std::vector<CsvRow> parse_csv_table(const std::string& text, const std::string& origin,
                                    const std::vector<std::string>& header);

/// An integer field in [lo, hi]; throws ConfigError "<where>: <name>: expected an integer in lo..hi, got '...'".
long long csv_integer(const std::string& field, const std::string& where, const char* name, long long lo, long long hi);
/// A finite number; throws ConfigError "<where>: <name>: expected a number, got '...'".
double csv_number(const std::string& field, const std::string& where, const char* name);

}  // namespace saffire
