#include "sim/memory/dram_memory_system.hpp"

#include <algorithm>
#include <utility>

#include "sim/memory/dram_port.hpp"
#include "sim/memory/dram_read_buffer.hpp"
#include "sim/memory/dram_write_buffer.hpp"
#include "sim/memory/fold_stall_log.hpp"
#include "sim/memory/scalesim_demand.hpp"
#include "sim/memory/span_tracker.hpp"

namespace saffire::memory {
namespace {

using i64 = std::int64_t;

std::uint64_t align_up(std::uint64_t x) { return (x + kRegionAlign - 1) / kRegionAlign * kRegionAlign; }

}  // namespace

MemoryReport simulate_dram(const arch::ArrayConfig& array, const arch::GemmShape& s, const DramMemoryParams& p) {
  const ScalesimDemand demand(array, s);
  // The windows each read scratchpad will move through (the fetch order alone decides them).
  WindowPlan x_plan = plan_windows(p.capacity.ifmap, demand.ifmap_words(), [&](auto&& visit) {
    demand.for_each_line([&](const DemandLine& d) {
      if (d.x) visit(d.x_first, d.x_last);
    });
  });
  WindowPlan w_plan = plan_windows(p.capacity.filter, demand.filter_words(), [&](auto&& visit) {
    demand.for_each_line([&](const DemandLine& d) {
      if (d.w) visit(d.w_first, d.w_last);
    });
  });

  DramPort port(p.spec, array.clock_ghz);
  const std::uint64_t x_base = 0;
  const std::uint64_t w_base = align_up(static_cast<std::uint64_t>(demand.ifmap_words()) * p.input_word_bytes);
  const std::uint64_t y_base =
      align_up(w_base + static_cast<std::uint64_t>(demand.filter_words()) * p.input_word_bytes);
  DramReadBuffer ifmap(p.capacity.ifmap, demand.ifmap_words(), p.input_word_bytes, x_base, std::move(x_plan), port);
  DramReadBuffer filter(p.capacity.filter, demand.filter_words(), p.input_word_bytes, w_base, std::move(w_plan), port);
  DramWriteBuffer ofmap(p.capacity.ofmap, p.output_word_bytes, y_base, OutputLayout(array, s), port);
  ifmap.start(0);
  filter.start(0);
  SpanTracker ifmap_span, filter_span, ofmap_span;
  FoldStallLog fold_stalls(demand);

  i64 stall = 0, line = 0;
  demand.for_each_line([&](const DemandLine& d) {
    const i64 cycle = line + stall;
    const i64 wait_i = d.x ? ifmap.serve(cycle, d.x_first, d.x_last) : 0;
    const i64 wait_f = d.w ? filter.serve(cycle, d.w_first, d.w_last) : 0;
    const i64 run = cycle + std::max(wait_i, wait_f);  // the line runs once its operands are there
    if (d.x) ifmap_span.add(run);
    if (d.w) filter_span.add(run);
    i64 wait_o = 0;
    if (d.y_words > 0) {
      wait_o = ofmap.write(run, d.y_words);
      ofmap_span.add(run + wait_o);
    }
    stall += run - cycle + wait_o;
    fold_stalls.end_line(run - cycle + wait_o);
    ++line;
  });
  const i64 last_line = line - 1 + stall;
  const i64 drain = ofmap.finish(last_line) - last_line;  // the last outputs land in DRAM
  stall += drain;
  fold_stalls.add_after_last(drain);

  MemoryReport r;
  r.compute_cycles = line - 1;
  r.stall_cycles = stall;
  r.total_cycles = r.compute_cycles + r.stall_cycles;
  r.fold_stall_cycles = fold_stalls.in_plan_order();
  r.sram_reads = array_side_reads(array, s);
  r.dram_reads = {ifmap.dram_words(), filter.dram_words(), 0};
  r.dram_writes = {0, 0, ofmap.dram_words()};
  r.sram_writes = {r.dram_reads.ifmap, r.dram_reads.filter, array_side_output_writes(array, s)};
  r.sram_spans = {ifmap_span.get(), filter_span.get(), ofmap_span.get()};
  r.dram_spans = {ifmap.dram_span(), filter.dram_span(), ofmap.dram_span()};

  const dram::DramStats st = port.stats();
  r.has_dram = true;
  r.dram.preset = p.spec.name;
  r.dram.bytes_read = st.bytes_read;
  r.dram.bytes_written = st.bytes_written;
  r.dram.requests = st.requests();
  r.dram.row_hits = st.row_hits;
  r.dram.row_misses = st.row_misses;
  r.dram.row_conflicts = st.row_conflicts;
  // Bytes over the GEMM's time: (total_cycles + 1) array cycles of 1 / clock_ghz ns.
  r.dram.achieved_gbps = static_cast<double>(st.bytes_read + st.bytes_written) * array.clock_ghz /
                         static_cast<double>(r.total_cycles + 1);
  return r;
}

}  // namespace saffire::memory
