#include "sim/memory/memory_reports.hpp"

#include <sstream>

namespace saffire::memory {
namespace {

double per_cycle(std::int64_t words, std::int64_t cycles) {
  return cycles > 0 ? static_cast<double>(words) / static_cast<double>(cycles) : 0.0;
}

std::string num(double x) {
  std::ostringstream out;
  out.precision(17);
  out << x;
  return out.str();
}

}  // namespace

double average_bandwidth(std::int64_t words, const CycleSpan& span) {
  return words > 0 ? per_cycle(words, span.stop - span.start + 1) : 0.0;
}

std::string bandwidth_report_header(bool dram) {
  return std::string("LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, "
                     "Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,") +
         (dram ? " DRAM Bytes Read, DRAM Bytes Written, Achieved DRAM GB/s, Row Buffer Hit Rate,\n" : "\n");
}

std::string bandwidth_report_row(std::int64_t layer_id, const MemoryReport& r) {
  std::ostringstream out;
  out << layer_id << ", " << num(per_cycle(r.sram_reads.ifmap, r.total_cycles)) << ", "
      << num(per_cycle(r.sram_reads.filter, r.total_cycles)) << ", "
      << num(per_cycle(r.sram_writes.ofmap, r.total_cycles)) << ", "
      << num(average_bandwidth(r.dram_reads.ifmap, r.dram_spans.ifmap)) << ", "
      << num(average_bandwidth(r.dram_reads.filter, r.dram_spans.filter)) << ", "
      << num(average_bandwidth(r.dram_writes.ofmap, r.dram_spans.ofmap)) << ",";
  if (r.has_dram)
    out << " " << r.dram.bytes_read << ", " << r.dram.bytes_written << ", " << num(r.dram.achieved_gbps) << ", "
        << num(r.dram.row_hit_rate()) << ",";
  out << "\n";
  return out.str();
}

std::string detailed_access_report_header() {
  return "LayerID, "
         "SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, "
         "SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, "
         "SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, "
         "DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, "
         "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, "
         "DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n";
}

std::string detailed_access_report_row(std::int64_t layer_id, const MemoryReport& r) {
  std::ostringstream out;
  auto span = [&](const CycleSpan& s, std::int64_t words) { out << s.start << ", " << s.stop << ", " << words << ", "; };
  out << layer_id << ", ";
  span(r.sram_spans.ifmap, r.sram_reads.ifmap);
  span(r.sram_spans.filter, r.sram_reads.filter);
  span(r.sram_spans.ofmap, r.sram_writes.ofmap);
  span(r.dram_spans.ifmap, r.dram_reads.ifmap);
  span(r.dram_spans.filter, r.dram_reads.filter);
  out << r.dram_spans.ofmap.start << ", " << r.dram_spans.ofmap.stop << ", " << r.dram_writes.ofmap << ",\n";
  return out.str();
}

}  // namespace saffire::memory
