#pragma once
// Internal to saffire_traces: the HDF5 compound type of one "/points" row (schema version 4), and the
// C struct HDF5 reads and writes it through. Column names come from schema.hpp.
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>

#include "traces/trace_records.hpp"

namespace saffire::traces::detail {

// In-memory row. Strings are variable-length: pointers, borrowed from a PointRecord when writing,
// allocated by HDF5 when reading (free them with H5::DataSet::vlenReclaim).
struct PointRow {
  const char* key;
  const char* command;
  const char* options;
  const char* coordinates;
  const char* status;
  std::int32_t exit_code;
  double seconds;
  std::int32_t rank;
  const char* finished_utc;
  const char* result;
  const char* error;
};

// Compound type matching PointRow in memory (native types, struct offsets).
H5::CompType point_row_memory_type();

// Compound type stored in the file: packed, little-endian, columns in schema order.
H5::CompType point_row_file_type();

// Throws TraceError naming `file` and the column if `stored` lacks a column of this schema version.
void check_point_columns(const H5::CompType& stored, const std::filesystem::path& file);

// Borrows r's strings: the row is valid only while r is alive and unchanged.
PointRow to_row(const PointRecord& r);

// Copies the strings; a null string pointer reads as "".
PointRecord from_row(const PointRow& row);

}  // namespace saffire::traces::detail
