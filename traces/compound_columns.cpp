// Compound types from column lists (see compound_columns.hpp).
#include "traces/compound_columns.hpp"

#include <string>

#include "traces/h5_support.hpp"

namespace saffire::traces::detail {
namespace {

H5::StrType utf8_string() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

H5::DataType memory_type(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kString:
      return utf8_string();
    case ColumnKind::kInt32:
      return H5::PredType::NATIVE_INT32;
    case ColumnKind::kInt64:
      return H5::PredType::NATIVE_INT64;
    case ColumnKind::kFloat64:
      return H5::PredType::NATIVE_DOUBLE;
  }
  return H5::PredType::NATIVE_INT64;  // unreachable
}

H5::DataType file_type(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kString:
      return utf8_string();
    case ColumnKind::kInt32:
      return H5::PredType::STD_I32LE;
    case ColumnKind::kInt64:
      return H5::PredType::STD_I64LE;
    case ColumnKind::kFloat64:
      return H5::PredType::IEEE_F64LE;
  }
  return H5::PredType::STD_I64LE;  // unreachable
}

}  // namespace

H5::CompType memory_compound(std::size_t row_size, std::span<const Column> columns) {
  H5::CompType type(row_size);
  for (const Column& c : columns) {
    type.insertMember(c.name, c.offset, memory_type(c.kind));
  }
  return type;
}

H5::CompType file_compound(std::span<const Column> columns) {
  std::size_t size = 0;
  for (const Column& c : columns) {
    size += file_type(c.kind).getSize();
  }
  H5::CompType type(size);
  std::size_t offset = 0;
  for (const Column& c : columns) {
    const H5::DataType t = file_type(c.kind);
    type.insertMember(c.name, offset, t);
    offset += t.getSize();
  }
  return type;
}

void check_columns(const H5::CompType& stored, std::span<const Column> columns, const char* dataset,
                   const std::filesystem::path& file) {
  for (const Column& c : columns) {
    // getMemberIndex throws on a missing name; ask HDF5's C API, which just returns < 0.
    if (H5Tget_member_index(stored.getId(), c.name) < 0) {
      throw trace_error(file, std::string("dataset '") + dataset + "' has no column '" + c.name + "'");
    }
  }
}

}  // namespace saffire::traces::detail
