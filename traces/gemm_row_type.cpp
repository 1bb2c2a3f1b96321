// The "/gemms" compound type (see gemm_row_type.hpp).
#include "traces/gemm_row_type.hpp"

#include <array>
#include <cstddef>
#include <string>

#include "traces/h5_support.hpp"
#include "traces/schema.hpp"

namespace saffire::traces::detail {
namespace {

enum class Kind { kString, kInt32, kInt64, kFloat64 };

struct Column {
  const char* name;
  std::size_t offset;  // in GemmRow
  Kind kind;
};

// The one list of columns, in file order; both compound types are built from it.
constexpr std::array kColumns = {
    Column{kColName, offsetof(GemmRow, name), Kind::kString},
    Column{kColM, offsetof(GemmRow, m), Kind::kInt64},
    Column{kColN, offsetof(GemmRow, n), Kind::kInt64},
    Column{kColK, offsetof(GemmRow, k), Kind::kInt64},
    Column{kColDataflow, offsetof(GemmRow, dataflow), Kind::kString},
    Column{kColRows, offsetof(GemmRow, rows), Kind::kInt32},
    Column{kColCols, offsetof(GemmRow, cols), Kind::kInt32},
    Column{kColCycles, offsetof(GemmRow, cycles), Kind::kInt64},
    Column{kColMacs, offsetof(GemmRow, macs), Kind::kInt64},
    Column{kColUtilization, offsetof(GemmRow, utilization), Kind::kFloat64},
    Column{kColMappingEfficiency, offsetof(GemmRow, mapping_efficiency), Kind::kFloat64},
    Column{kColFidelity, offsetof(GemmRow, fidelity), Kind::kString},
    Column{kColHostSeconds, offsetof(GemmRow, host_seconds), Kind::kFloat64},
};

H5::StrType utf8_string() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

H5::DataType memory_type(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return utf8_string();
    case Kind::kInt32:
      return H5::PredType::NATIVE_INT32;
    case Kind::kInt64:
      return H5::PredType::NATIVE_INT64;
    case Kind::kFloat64:
      return H5::PredType::NATIVE_DOUBLE;
  }
  return H5::PredType::NATIVE_INT64;  // unreachable
}

H5::DataType file_type(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return utf8_string();
    case Kind::kInt32:
      return H5::PredType::STD_I32LE;
    case Kind::kInt64:
      return H5::PredType::STD_I64LE;
    case Kind::kFloat64:
      return H5::PredType::IEEE_F64LE;
  }
  return H5::PredType::STD_I64LE;  // unreachable
}

}  // namespace

H5::CompType gemm_row_memory_type() {
  H5::CompType type(sizeof(GemmRow));
  for (const Column& c : kColumns) {
    type.insertMember(c.name, c.offset, memory_type(c.kind));
  }
  return type;
}

H5::CompType gemm_row_file_type() {
  std::size_t size = 0;
  for (const Column& c : kColumns) {
    size += file_type(c.kind).getSize();
  }
  H5::CompType type(size);
  std::size_t offset = 0;
  for (const Column& c : kColumns) {
    const H5::DataType t = file_type(c.kind);
    type.insertMember(c.name, offset, t);
    offset += t.getSize();
  }
  return type;
}

void check_gemm_columns(const H5::CompType& stored, const std::filesystem::path& file) {
  for (const Column& c : kColumns) {
    // getMemberIndex throws on a missing name; ask HDF5's C API, which just returns < 0.
    if (H5Tget_member_index(stored.getId(), c.name) < 0) {
      throw trace_error(file, std::string("dataset '") + kGemmsDataset + "' has no column '" + c.name + "'");
    }
  }
}

GemmRow to_row(const GemmRecord& r) {
  return GemmRow{r.name.c_str(), r.m,      r.n,    r.k,           r.dataflow.c_str(),   r.rows,
                 r.cols,         r.cycles, r.macs, r.utilization, r.mapping_efficiency, r.fidelity.c_str(),
                 r.host_seconds};
}

GemmRecord from_row(const GemmRow& row) {
  const auto str = [](const char* s) { return s != nullptr ? std::string(s) : std::string(); };
  GemmRecord r;
  r.name = str(row.name);
  r.m = row.m;
  r.n = row.n;
  r.k = row.k;
  r.dataflow = str(row.dataflow);
  r.rows = row.rows;
  r.cols = row.cols;
  r.cycles = row.cycles;
  r.macs = row.macs;
  r.utilization = row.utilization;
  r.mapping_efficiency = row.mapping_efficiency;
  r.fidelity = str(row.fidelity);
  r.host_seconds = row.host_seconds;
  return r;
}

}  // namespace saffire::traces::detail
