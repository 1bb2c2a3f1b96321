#pragma once
// Internal to saffire_traces: the HDF5 compound type of one "/faults" row (schema version 2), and
// the C struct HDF5 reads and writes it through. Column names come from schema.hpp.
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>

#include "traces/trace_records.hpp"

namespace saffire::traces::detail {

// In-memory row. Strings are variable-length: pointers, borrowed from a FaultRecord when writing,
// allocated by HDF5 when reading (free them with H5::DataSet::vlenReclaim).
struct FaultRow {
  const char* gemm;
  std::int32_t layer;
  const char* component;
  const char* stage;
  std::int32_t head;
  std::int64_t call_index;
  std::int32_t sequence;
  std::int64_t m, n;
  std::int64_t pe_row, pe_col, fold, cycle;
  std::int32_t bit;
  std::int32_t before, after;
  std::int64_t delta;
};

// Compound type matching FaultRow in memory (native types, struct offsets).
H5::CompType fault_row_memory_type();

// Compound type stored in the file: packed, little-endian, columns in schema order.
H5::CompType fault_row_file_type();

// Throws TraceError naming `file` and the column if `stored` lacks a column of this schema version.
void check_fault_columns(const H5::CompType& stored, const std::filesystem::path& file);

// Borrows r's strings: the row is valid only while r is alive and unchanged.
FaultRow to_row(const FaultRecord& r);

// Copies the strings; a null string pointer reads as "".
FaultRecord from_row(const FaultRow& row);

}  // namespace saffire::traces::detail
