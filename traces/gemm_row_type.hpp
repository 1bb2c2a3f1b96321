#pragma once
// Internal to saffire_traces: the HDF5 compound type of one "/gemms" row, and the C struct HDF5
// reads and writes it through. Column names come from schema.hpp; the layout is defined once here.
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>

#include "traces/trace_records.hpp"

namespace saffire::traces::detail {

// In-memory row. Strings are variable-length: pointers, borrowed from a GemmRecord when writing,
// allocated by HDF5 when reading (free them with H5::DataSet::vlenReclaim).
struct GemmRow {
  const char* name;
  std::int64_t m, n, k;
  const char* dataflow;
  std::int32_t rows, cols;
  std::int64_t cycles;
  std::int64_t macs;
  double utilization;
  double mapping_efficiency;
  const char* fidelity;
  double host_seconds;
};

// Compound type matching GemmRow in memory (native types, struct offsets).
H5::CompType gemm_row_memory_type();

// Compound type stored in the file: packed, little-endian, columns in schema order.
H5::CompType gemm_row_file_type();

// Throws TraceError naming `file` and the column if `stored` lacks a column of this schema version
// (HDF5 would otherwise leave that field unset without complaint).
void check_gemm_columns(const H5::CompType& stored, const std::filesystem::path& file);

// Borrows r's strings: the row is valid only while r is alive and unchanged.
GemmRow to_row(const GemmRecord& r);

// Copies the strings; a null string pointer reads as "".
GemmRecord from_row(const GemmRow& row);

}  // namespace saffire::traces::detail
