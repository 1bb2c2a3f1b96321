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
  const auto where = [&](const Column& c) {
    return std::string("column '") + c.name + "' of dataset '" + dataset + "'";
  };
  for (const Column& c : columns) {
    // getMemberIndex throws on a missing name; ask HDF5's C API, which just returns < 0.
    const int index = H5Tget_member_index(stored.getId(), c.name);
    if (index < 0) {
      throw trace_error(file, std::string("dataset '") + dataset + "' has no column '" + c.name + "'");
    }
    // The member's stored type, checked before HDF5 converts it: a conversion HDF5 would attempt
    // between unrelated classes (or from a corrupt type) is where corrupt files crash the library.
    const hid_t member = H5Tget_member_type(stored.getId(), static_cast<unsigned>(index));
    if (member < 0) {
      throw trace_error(file, "cannot read the type of " + where(c));
    }
    const H5T_class_t cls = H5Tget_class(member);
    const std::size_t size = H5Tget_size(member);
    const htri_t variable = cls == H5T_STRING ? H5Tis_variable_str(member) : 0;
    H5Tclose(member);
    std::string problem;
    switch (c.kind) {
      case ColumnKind::kString:
        if (cls != H5T_STRING || variable <= 0) problem = "is not a variable-length string";
        break;
      case ColumnKind::kInt32:
      case ColumnKind::kInt64:
        if (cls != H5T_INTEGER || size == 0 || size > 8) problem = "is not an integer of at most 8 bytes";
        break;
      case ColumnKind::kFloat64:
        if (cls != H5T_FLOAT || (size != 4 && size != 8)) problem = "is not a 4- or 8-byte float";
        break;
    }
    if (!problem.empty()) {
      throw trace_error(file, where(c) + " " + problem);
    }
  }
}

}  // namespace saffire::traces::detail
