#include "sim/memory/memory_traffic.hpp"

namespace saffire::memory {

arch::MemoryTraffic memory_traffic(const MemoryConfig& cfg, const MemoryReport& r, const arch::ArrayConfig& array) {
  auto operand = [](std::int64_t reads, std::int64_t writes, std::int64_t dram_reads, std::int64_t dram_writes,
                    int word_bytes, std::int64_t kb) {
    return arch::OperandTraffic{reads, writes, dram_reads, dram_writes, word_bytes, static_cast<double>(kb)};
  };
  arch::MemoryTraffic t;
  t.ifmap = operand(r.sram_reads.ifmap, r.sram_writes.ifmap, r.dram_reads.ifmap, r.dram_writes.ifmap,
                    cfg.input_word_bytes, cfg.ifmap_sram_kb);
  t.filter = operand(r.sram_reads.filter, r.sram_writes.filter, r.dram_reads.filter, r.dram_writes.filter,
                     cfg.input_word_bytes, cfg.filter_sram_kb);
  t.ofmap = operand(r.sram_reads.ofmap, r.sram_writes.ofmap, r.dram_reads.ofmap, r.dram_writes.ofmap,
                    cfg.output_word_bytes, cfg.ofmap_sram_kb);
  // The dram model counts its row activations: every miss and conflict opens a row (a conflict closes one first).
  if (r.has_dram) t.dram_activations = static_cast<std::int64_t>(r.dram.row_misses + r.dram.row_conflicts);
  // total_cycles is the 0-based index of the last cycle: the GEMM lasts one more.
  t.seconds = static_cast<double>(r.total_cycles + 1) / (array.clock_ghz * 1e9);
  return t;
}

}  // namespace saffire::memory
