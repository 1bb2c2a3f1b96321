#include "sim/memory/scalesim_memory_system.hpp"

#include <algorithm>

#include "sim/memory/fold_stall_log.hpp"
#include "sim/memory/scalesim_demand.hpp"
#include "sim/memory/scalesim_read_buffer.hpp"
#include "sim/memory/scalesim_write_buffer.hpp"
#include "sim/memory/span_tracker.hpp"

namespace saffire::memory {
namespace {

using i64 = std::int64_t;

}  // namespace

MemoryReport simulate_scalesim(const arch::ArrayConfig& array, const arch::GemmShape& s, const ScalesimParams& p) {
  const ScalesimDemand demand(array, s);
  ScalesimReadBuffer ifmap(p.capacity.ifmap, p.bandwidth.ifmap, demand.ifmap_words(), demand.ifmap_cells());
  ScalesimReadBuffer filter(p.capacity.filter, p.bandwidth.filter, demand.filter_words(), demand.filter_cells());
  ScalesimWriteBuffer ofmap(p.capacity.ofmap, p.bandwidth.ofmap);
  SpanTracker ifmap_span, filter_span, ofmap_span;
  FoldStallLog fold_stalls(demand);

  i64 stall = 0, line = 0, last_out = 0;
  demand.for_each_line([&](const DemandLine& d) {
    const i64 cycle = line + stall;
    i64 wait_i = 0, wait_f = 0, wait_o = 0;
    if (d.x) {
      wait_i = ifmap.serve(cycle, d.x_first, d.x_last);
      ifmap_span.add(cycle + 1 + wait_i);
    }
    if (d.w) {
      wait_f = filter.serve(cycle, d.w_first, d.w_last);
      filter_span.add(cycle + 1 + wait_f);
    }
    if (d.y_words > 0) {
      wait_o = ofmap.write(cycle, d.y_words);
      ofmap_span.add(cycle + wait_o);
    }
    last_out = cycle + wait_o;
    const i64 wait = std::max({wait_i, wait_f, wait_o});
    stall += wait;
    fold_stalls.end_line(wait);
    ++line;
  });
  ofmap.finish(last_out);

  MemoryReport r;
  r.compute_cycles = line - 1;
  r.stall_cycles = stall;
  r.total_cycles = r.compute_cycles + r.stall_cycles;
  r.fold_stall_cycles = fold_stalls.in_plan_order();
  r.sram_reads = array_side_reads(array, s);
  r.dram_reads = {ifmap.dram_reads(), filter.dram_reads(), 0};
  r.dram_writes = {0, 0, ofmap.dram_writes()};
  r.sram_writes = {r.dram_reads.ifmap, r.dram_reads.filter, array_side_output_writes(array, s)};
  r.sram_spans = {ifmap_span.get(), filter_span.get(), ofmap_span.get()};
  r.dram_spans = {{ifmap.dram_start(), ifmap.dram_stop()},
                  {filter.dram_start(), filter.dram_stop()},
                  {ofmap.dram_start(), ofmap.dram_stop()}};
  return r;
}

}  // namespace saffire::memory
