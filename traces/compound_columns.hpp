#pragma once
// Internal to saffire_traces: a table's columns described once (name, offset in the in-memory row
// struct, kind), from which both its HDF5 compound types are built. Used by every table.
#include <H5Cpp.h>

#include <cstddef>
#include <filesystem>
#include <span>

namespace saffire::traces::detail {

enum class ColumnKind { kString, kInt32, kInt64, kFloat64 };

struct Column {
  const char* name;
  std::size_t offset;  // in the in-memory row struct
  ColumnKind kind;
};

// Compound type matching the row struct in memory (native types, struct offsets).
H5::CompType memory_compound(std::size_t row_size, std::span<const Column> columns);

// Compound type stored in the file: packed, little-endian, columns in the given order.
H5::CompType file_compound(std::span<const Column> columns);

// Throws TraceError naming `file`, `dataset` and the column if `stored` lacks one of `columns`
// (HDF5 would otherwise leave that field unset without complaint).
void check_columns(const H5::CompType& stored, std::span<const Column> columns, const char* dataset,
                   const std::filesystem::path& file);

}  // namespace saffire::traces::detail
