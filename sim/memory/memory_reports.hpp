#pragma once
// SCALE-Sim v2's BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv, the same columns and spelling, so
// scripts written for SCALE-Sim read saffire's. Bandwidths in words per cycle: SRAM words over the
// layer's total cycles (SCALE-Sim's 0-based count), DRAM words over the interface's busy span. The rows of a
// dram-model report (MemoryReport::has_dram) carry its DRAM columns too.
#include <cstdint>
#include <string>

#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

/// `dram`: the dram model's columns follow SCALE-Sim's (DRAM bytes read and written, achieved GB/s,
/// row-buffer hit rate), so scripts that read SCALE-Sim's columns by name still read the file.
std::string bandwidth_report_header(bool dram = false);
std::string bandwidth_report_row(std::int64_t layer_id, const MemoryReport& r);
std::string detailed_access_report_header();
std::string detailed_access_report_row(std::int64_t layer_id, const MemoryReport& r);

/// DRAM words over the span's cycles (stop - start + 1), 0 for an idle interface.
double average_bandwidth(std::int64_t words, const CycleSpan& span);

}  // namespace saffire::memory
