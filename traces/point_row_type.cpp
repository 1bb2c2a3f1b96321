// The "/points" compound type (see point_row_type.hpp).
#include "traces/point_row_type.hpp"

#include <array>
#include <cstddef>
#include <string>

#include "traces/compound_columns.hpp"
#include "traces/schema.hpp"

namespace saffire::traces::detail {
namespace {

using enum ColumnKind;

// The one list of columns, in file order; both compound types are built from it.
constexpr std::array kColumns = {
    Column{kPointColKey, offsetof(PointRow, key), kString},
    Column{kPointColCommand, offsetof(PointRow, command), kString},
    Column{kPointColOptions, offsetof(PointRow, options), kString},
    Column{kPointColCoordinates, offsetof(PointRow, coordinates), kString},
    Column{kPointColStatus, offsetof(PointRow, status), kString},
    Column{kPointColExitCode, offsetof(PointRow, exit_code), kInt32},
    Column{kPointColSeconds, offsetof(PointRow, seconds), kFloat64},
    Column{kPointColRank, offsetof(PointRow, rank), kInt32},
    Column{kPointColFinishedUtc, offsetof(PointRow, finished_utc), kString},
    Column{kPointColResult, offsetof(PointRow, result), kString},
    Column{kPointColError, offsetof(PointRow, error), kString},
};

}  // namespace

H5::CompType point_row_memory_type() { return memory_compound(sizeof(PointRow), kColumns); }

H5::CompType point_row_file_type() { return file_compound(kColumns); }

void check_point_columns(const H5::CompType& stored, const std::filesystem::path& file) {
  check_columns(stored, kColumns, kPointsDataset, file);
}

PointRow to_row(const PointRecord& r) {
  return PointRow{r.key.c_str(),          r.command.c_str(), r.options.c_str(), r.coordinates.c_str(),
                  r.status.c_str(),       r.exit_code,       r.seconds,         r.rank,
                  r.finished_utc.c_str(), r.result.c_str(),  r.error.c_str()};
}

PointRecord from_row(const PointRow& row) {
  const auto str = [](const char* s) { return s != nullptr ? std::string(s) : std::string(); };
  PointRecord r;
  r.key = str(row.key);
  r.command = str(row.command);
  r.options = str(row.options);
  r.coordinates = str(row.coordinates);
  r.status = str(row.status);
  r.exit_code = row.exit_code;
  r.seconds = row.seconds;
  r.rank = row.rank;
  r.finished_utc = str(row.finished_utc);
  r.result = str(row.result);
  r.error = str(row.error);
  return r;
}

}  // namespace saffire::traces::detail
