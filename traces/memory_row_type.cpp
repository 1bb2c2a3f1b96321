// The "/memory" compound type (see memory_row_type.hpp).
#include "traces/memory_row_type.hpp"

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
    Column{kMemoryColGemm, offsetof(MemoryRow, gemm), kString},
    Column{kMemoryColModel, offsetof(MemoryRow, model), kString},
    Column{kMemoryColDramPreset, offsetof(MemoryRow, dram_preset), kString},
    Column{kMemoryColComputeCycles, offsetof(MemoryRow, compute_cycles), kInt64},
    Column{kMemoryColStallCycles, offsetof(MemoryRow, stall_cycles), kInt64},
    Column{kMemoryColTotalCycles, offsetof(MemoryRow, total_cycles), kInt64},
    Column{kMemoryColSramReadsIfmap, offsetof(MemoryRow, sram_reads_ifmap), kInt64},
    Column{kMemoryColSramReadsFilter, offsetof(MemoryRow, sram_reads_filter), kInt64},
    Column{kMemoryColSramReadsOfmap, offsetof(MemoryRow, sram_reads_ofmap), kInt64},
    Column{kMemoryColSramWritesIfmap, offsetof(MemoryRow, sram_writes_ifmap), kInt64},
    Column{kMemoryColSramWritesFilter, offsetof(MemoryRow, sram_writes_filter), kInt64},
    Column{kMemoryColSramWritesOfmap, offsetof(MemoryRow, sram_writes_ofmap), kInt64},
    Column{kMemoryColDramReadsIfmap, offsetof(MemoryRow, dram_reads_ifmap), kInt64},
    Column{kMemoryColDramReadsFilter, offsetof(MemoryRow, dram_reads_filter), kInt64},
    Column{kMemoryColDramReadsOfmap, offsetof(MemoryRow, dram_reads_ofmap), kInt64},
    Column{kMemoryColDramWritesIfmap, offsetof(MemoryRow, dram_writes_ifmap), kInt64},
    Column{kMemoryColDramWritesFilter, offsetof(MemoryRow, dram_writes_filter), kInt64},
    Column{kMemoryColDramWritesOfmap, offsetof(MemoryRow, dram_writes_ofmap), kInt64},
    Column{kMemoryColDramBytesRead, offsetof(MemoryRow, dram_bytes_read), kInt64},
    Column{kMemoryColDramBytesWritten, offsetof(MemoryRow, dram_bytes_written), kInt64},
    Column{kMemoryColAchievedGbps, offsetof(MemoryRow, achieved_gbps), kFloat64},
    Column{kMemoryColRequiredAvgIfmap, offsetof(MemoryRow, required_avg_ifmap), kFloat64},
    Column{kMemoryColRequiredAvgFilter, offsetof(MemoryRow, required_avg_filter), kFloat64},
    Column{kMemoryColRequiredAvgOfmap, offsetof(MemoryRow, required_avg_ofmap), kFloat64},
    Column{kMemoryColRequiredPeakIfmap, offsetof(MemoryRow, required_peak_ifmap), kFloat64},
    Column{kMemoryColRequiredPeakFilter, offsetof(MemoryRow, required_peak_filter), kFloat64},
    Column{kMemoryColRequiredPeakOfmap, offsetof(MemoryRow, required_peak_ofmap), kFloat64},
    Column{kMemoryColDramRequests, offsetof(MemoryRow, dram_requests), kInt64},
    Column{kMemoryColDramRowHits, offsetof(MemoryRow, dram_row_hits), kInt64},
    Column{kMemoryColDramRowMisses, offsetof(MemoryRow, dram_row_misses), kInt64},
    Column{kMemoryColDramRowConflicts, offsetof(MemoryRow, dram_row_conflicts), kInt64},
    Column{kMemoryColRowHitRate, offsetof(MemoryRow, row_hit_rate), kFloat64},
    Column{kMemoryColSramEnergyPj, offsetof(MemoryRow, sram_energy_pj), kFloat64},
    Column{kMemoryColDramEnergyPj, offsetof(MemoryRow, dram_energy_pj), kFloat64},
};

}  // namespace

H5::CompType memory_row_memory_type() { return memory_compound(sizeof(MemoryRow), kColumns); }

H5::CompType memory_row_file_type() { return file_compound(kColumns); }

void check_memory_columns(const H5::CompType& stored, const std::filesystem::path& file) {
  check_columns(stored, kColumns, kMemoryDataset, file);
}

MemoryRow to_row(const MemoryRecord& r) {
  return MemoryRow{r.gemm.c_str(),       r.model.c_str(),        r.dram_preset.c_str(), r.compute_cycles,
                   r.stall_cycles,       r.total_cycles,         r.sram_reads_ifmap,    r.sram_reads_filter,
                   r.sram_reads_ofmap,   r.sram_writes_ifmap,    r.sram_writes_filter,  r.sram_writes_ofmap,
                   r.dram_reads_ifmap,   r.dram_reads_filter,    r.dram_reads_ofmap,    r.dram_writes_ifmap,
                   r.dram_writes_filter, r.dram_writes_ofmap,    r.dram_bytes_read,     r.dram_bytes_written,
                   r.achieved_gbps,      r.required_avg_ifmap,   r.required_avg_filter, r.required_avg_ofmap,
                   r.required_peak_ifmap, r.required_peak_filter, r.required_peak_ofmap, r.dram_requests,
                   r.dram_row_hits,      r.dram_row_misses,      r.dram_row_conflicts,  r.row_hit_rate,
                   r.sram_energy_pj,     r.dram_energy_pj};
}

MemoryRecord from_row(const MemoryRow& row) {
  const auto str = [](const char* s) { return s != nullptr ? std::string(s) : std::string(); };
  MemoryRecord r;
  r.gemm = str(row.gemm);
  r.model = str(row.model);
  r.dram_preset = str(row.dram_preset);
  r.compute_cycles = row.compute_cycles;
  r.stall_cycles = row.stall_cycles;
  r.total_cycles = row.total_cycles;
  r.sram_reads_ifmap = row.sram_reads_ifmap;
  r.sram_reads_filter = row.sram_reads_filter;
  r.sram_reads_ofmap = row.sram_reads_ofmap;
  r.sram_writes_ifmap = row.sram_writes_ifmap;
  r.sram_writes_filter = row.sram_writes_filter;
  r.sram_writes_ofmap = row.sram_writes_ofmap;
  r.dram_reads_ifmap = row.dram_reads_ifmap;
  r.dram_reads_filter = row.dram_reads_filter;
  r.dram_reads_ofmap = row.dram_reads_ofmap;
  r.dram_writes_ifmap = row.dram_writes_ifmap;
  r.dram_writes_filter = row.dram_writes_filter;
  r.dram_writes_ofmap = row.dram_writes_ofmap;
  r.dram_bytes_read = row.dram_bytes_read;
  r.dram_bytes_written = row.dram_bytes_written;
  r.achieved_gbps = row.achieved_gbps;
  r.required_avg_ifmap = row.required_avg_ifmap;
  r.required_avg_filter = row.required_avg_filter;
  r.required_avg_ofmap = row.required_avg_ofmap;
  r.required_peak_ifmap = row.required_peak_ifmap;
  r.required_peak_filter = row.required_peak_filter;
  r.required_peak_ofmap = row.required_peak_ofmap;
  r.dram_requests = row.dram_requests;
  r.dram_row_hits = row.dram_row_hits;
  r.dram_row_misses = row.dram_row_misses;
  r.dram_row_conflicts = row.dram_row_conflicts;
  r.row_hit_rate = row.row_hit_rate;
  r.sram_energy_pj = row.sram_energy_pj;
  r.dram_energy_pj = row.dram_energy_pj;
  return r;
}

}  // namespace saffire::traces::detail
