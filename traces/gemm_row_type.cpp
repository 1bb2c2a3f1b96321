// The "/gemms" compound type (see gemm_row_type.hpp).
#include "traces/gemm_row_type.hpp"

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
    Column{kColName, offsetof(GemmRow, name), kString},
    Column{kColM, offsetof(GemmRow, m), kInt64},
    Column{kColN, offsetof(GemmRow, n), kInt64},
    Column{kColK, offsetof(GemmRow, k), kInt64},
    Column{kColDataflow, offsetof(GemmRow, dataflow), kString},
    Column{kColRows, offsetof(GemmRow, rows), kInt32},
    Column{kColCols, offsetof(GemmRow, cols), kInt32},
    Column{kColCycles, offsetof(GemmRow, cycles), kInt64},
    Column{kColMacs, offsetof(GemmRow, macs), kInt64},
    Column{kColUtilization, offsetof(GemmRow, utilization), kFloat64},
    Column{kColMappingEfficiency, offsetof(GemmRow, mapping_efficiency), kFloat64},
    Column{kColFidelity, offsetof(GemmRow, fidelity), kString},
    Column{kColHostSeconds, offsetof(GemmRow, host_seconds), kFloat64},
};

}  // namespace

H5::CompType gemm_row_memory_type() { return memory_compound(sizeof(GemmRow), kColumns); }

H5::CompType gemm_row_file_type() { return file_compound(kColumns); }

void check_gemm_columns(const H5::CompType& stored, const std::filesystem::path& file) {
  check_columns(stored, kColumns, kGemmsDataset, file);
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
