#pragma once
// Internal to saffire_traces: the HDF5 compound type of one "/memory" row (schema version 6), and the
// C struct HDF5 reads and writes it through. Column names come from schema.hpp.
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>

#include "traces/trace_records.hpp"

namespace saffire::traces::detail {

// In-memory row. Strings are variable-length: pointers, borrowed from a MemoryRecord when writing,
// allocated by HDF5 when reading (free them with H5::DataSet::vlenReclaim).
struct MemoryRow {
  const char* gemm;
  const char* model;
  const char* dram_preset;
  std::int64_t compute_cycles, stall_cycles, total_cycles;
  std::int64_t sram_reads_ifmap, sram_reads_filter, sram_reads_ofmap;
  std::int64_t sram_writes_ifmap, sram_writes_filter, sram_writes_ofmap;
  std::int64_t dram_reads_ifmap, dram_reads_filter, dram_reads_ofmap;
  std::int64_t dram_writes_ifmap, dram_writes_filter, dram_writes_ofmap;
  std::int64_t dram_bytes_read, dram_bytes_written;
  double achieved_gbps;
  double required_avg_ifmap, required_avg_filter, required_avg_ofmap;
  double required_peak_ifmap, required_peak_filter, required_peak_ofmap;
  std::int64_t dram_requests, dram_row_hits, dram_row_misses, dram_row_conflicts;
  double row_hit_rate;
  double sram_energy_pj, dram_energy_pj;
};

// Compound type matching MemoryRow in memory (native types, struct offsets).
H5::CompType memory_row_memory_type();

// Compound type stored in the file: packed, little-endian, columns in schema order.
H5::CompType memory_row_file_type();

// Throws TraceError naming `file` and the column if `stored` lacks a column of this schema version.
void check_memory_columns(const H5::CompType& stored, const std::filesystem::path& file);

// Borrows r's strings: the row is valid only while r is alive and unchanged.
MemoryRow to_row(const MemoryRecord& r);

// Copies the strings; a null string pointer reads as "".
MemoryRecord from_row(const MemoryRow& row);

}  // namespace saffire::traces::detail
