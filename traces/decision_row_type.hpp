#pragma once
// Internal to saffire_traces: the HDF5 compound type of one "/abft" row (schema version 3), and the
// C struct HDF5 reads and writes it through. Column names come from schema.hpp.
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>

#include "traces/trace_records.hpp"

namespace saffire::traces::detail {

// In-memory row. Strings are variable-length: pointers, borrowed from a DecisionRecord when
// writing, allocated by HDF5 when reading (free them with H5::DataSet::vlenReclaim).
struct DecisionRow {
  const char* gemm;
  std::int32_t layer;
  const char* component;
  const char* stage;
  std::int32_t head;
  std::int64_t call_index;
  std::int32_t sequence;
  std::int32_t attempt;
  std::int64_t tile;
  const char* scheme;
  const char* action;
  double msd;
  double theta_mag;
  std::int64_t freq;
  std::int32_t recovered_at_nominal;
};

// Compound type matching DecisionRow in memory (native types, struct offsets).
H5::CompType decision_row_memory_type();

// Compound type stored in the file: packed, little-endian, columns in schema order.
H5::CompType decision_row_file_type();

// Throws TraceError naming `file` and the column if `stored` lacks a column of this schema version.
void check_decision_columns(const H5::CompType& stored, const std::filesystem::path& file);

// Borrows r's strings: the row is valid only while r is alive and unchanged.
DecisionRow to_row(const DecisionRecord& r);

// Copies the strings; a null string pointer reads as "".
DecisionRecord from_row(const DecisionRow& row);

}  // namespace saffire::traces::detail
