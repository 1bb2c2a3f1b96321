// The "/faults" compound type (see fault_row_type.hpp).
#include "traces/fault_row_type.hpp"

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
    Column{kFaultColGemm, offsetof(FaultRow, gemm), kString},
    Column{kFaultColLayer, offsetof(FaultRow, layer), kInt32},
    Column{kFaultColComponent, offsetof(FaultRow, component), kString},
    Column{kFaultColStage, offsetof(FaultRow, stage), kString},
    Column{kFaultColHead, offsetof(FaultRow, head), kInt32},
    Column{kFaultColCallIndex, offsetof(FaultRow, call_index), kInt64},
    Column{kFaultColSequence, offsetof(FaultRow, sequence), kInt32},
    Column{kFaultColM, offsetof(FaultRow, m), kInt64},
    Column{kFaultColN, offsetof(FaultRow, n), kInt64},
    Column{kFaultColPeRow, offsetof(FaultRow, pe_row), kInt64},
    Column{kFaultColPeCol, offsetof(FaultRow, pe_col), kInt64},
    Column{kFaultColFold, offsetof(FaultRow, fold), kInt64},
    Column{kFaultColCycle, offsetof(FaultRow, cycle), kInt64},
    Column{kFaultColBit, offsetof(FaultRow, bit), kInt32},
    Column{kFaultColBefore, offsetof(FaultRow, before), kInt32},
    Column{kFaultColAfter, offsetof(FaultRow, after), kInt32},
    Column{kFaultColDelta, offsetof(FaultRow, delta), kInt64},
};

}  // namespace

H5::CompType fault_row_memory_type() { return memory_compound(sizeof(FaultRow), kColumns); }

H5::CompType fault_row_file_type() { return file_compound(kColumns); }

void check_fault_columns(const H5::CompType& stored, const std::filesystem::path& file) {
  check_columns(stored, kColumns, kFaultsDataset, file);
}

FaultRow to_row(const FaultRecord& r) {
  return FaultRow{r.gemm.c_str(),  r.layer,  r.component.c_str(),
                  r.stage.c_str(), r.head,   r.call_index,
                  r.sequence,      r.m,      r.n,
                  r.pe_row,        r.pe_col, r.fold,
                  r.cycle,         r.bit,    r.before,
                  r.after,         r.delta};
}

FaultRecord from_row(const FaultRow& row) {
  const auto str = [](const char* s) { return s != nullptr ? std::string(s) : std::string(); };
  FaultRecord r;
  r.gemm = str(row.gemm);
  r.layer = row.layer;
  r.component = str(row.component);
  r.stage = str(row.stage);
  r.head = row.head;
  r.call_index = row.call_index;
  r.sequence = row.sequence;
  r.m = row.m;
  r.n = row.n;
  r.pe_row = row.pe_row;
  r.pe_col = row.pe_col;
  r.fold = row.fold;
  r.cycle = row.cycle;
  r.bit = row.bit;
  r.before = row.before;
  r.after = row.after;
  r.delta = row.delta;
  return r;
}

}  // namespace saffire::traces::detail
