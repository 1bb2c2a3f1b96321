#include "sim/memory_trace_record.hpp"

#include <cstdint>
#include <utility>

namespace saffire::sim {

traces::MemoryRecord memory_trace_record(std::string gemm, std::string_view model, const memory::MemoryReport& report,
                                         double sram_pj, double dram_pj) {
  traces::MemoryRecord r;
  r.gemm = std::move(gemm);
  r.model = std::string(model);
  r.compute_cycles = report.compute_cycles;
  r.stall_cycles = report.stall_cycles;
  r.total_cycles = report.total_cycles;
  r.sram_reads_ifmap = report.sram_reads.ifmap;
  r.sram_reads_filter = report.sram_reads.filter;
  r.sram_reads_ofmap = report.sram_reads.ofmap;
  r.sram_writes_ifmap = report.sram_writes.ifmap;
  r.sram_writes_filter = report.sram_writes.filter;
  r.sram_writes_ofmap = report.sram_writes.ofmap;
  r.dram_reads_ifmap = report.dram_reads.ifmap;
  r.dram_reads_filter = report.dram_reads.filter;
  r.dram_reads_ofmap = report.dram_reads.ofmap;
  r.dram_writes_ifmap = report.dram_writes.ifmap;
  r.dram_writes_filter = report.dram_writes.filter;
  r.dram_writes_ofmap = report.dram_writes.ofmap;
  if (report.has_required) {
    r.required_avg_ifmap = report.required_ifmap.average;
    r.required_avg_filter = report.required_filter.average;
    r.required_avg_ofmap = report.required_ofmap.average;
    r.required_peak_ifmap = report.required_ifmap.peak;
    r.required_peak_filter = report.required_filter.peak;
    r.required_peak_ofmap = report.required_ofmap.peak;
  }
  if (report.has_dram) {
    const memory::DramTraffic& d = report.dram;
    r.dram_preset = d.preset;
    r.dram_bytes_read = static_cast<std::int64_t>(d.bytes_read);
    r.dram_bytes_written = static_cast<std::int64_t>(d.bytes_written);
    r.achieved_gbps = d.achieved_gbps;
    r.dram_requests = static_cast<std::int64_t>(d.requests);
    r.dram_row_hits = static_cast<std::int64_t>(d.row_hits);
    r.dram_row_misses = static_cast<std::int64_t>(d.row_misses);
    r.dram_row_conflicts = static_cast<std::int64_t>(d.row_conflicts);
    r.row_hit_rate = d.row_hit_rate();
  }
  r.sram_energy_pj = sram_pj;
  r.dram_energy_pj = dram_pj;
  return r;
}

}  // namespace saffire::sim
