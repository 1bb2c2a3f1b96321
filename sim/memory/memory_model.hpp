#pragma once
// MemoryModel: the memory seam. Given the array and one GEMM Y[M x N] = X[M x K] * W[K x N], a model
// says how long the array waits for its operands and how many words move between DRAM, the three
// scratchpads and the array. Variants live in impl/, one file each, chosen by name in
// memory_model_factory.cpp ([memory] model, --memory).
//
// Words follow SCALE-Sim: ifmap = X (activations), filter = W (weights), ofmap = Y (outputs); one word
// per operand element, whatever its width (the config's word sizes give the scratchpads' capacity).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arch/array_config.hpp"
#include "arch/gemm_shape.hpp"

namespace saffire::memory {

/// One count per operand, in words.
struct OperandWords {
  std::int64_t ifmap = 0;
  std::int64_t filter = 0;
  std::int64_t ofmap = 0;
};

/// First and last cycle an interface is busy (SCALE-Sim's DETAILED_ACCESS_REPORT start / stop cycles;
/// DRAM fills before cycle 0 give negative starts, as in SCALE-Sim).
struct CycleSpan {
  std::int64_t start = 0;
  std::int64_t stop = 0;
};

struct OperandSpans {
  CycleSpan ifmap, filter, ofmap;
};

/// The bandwidth one operand needs (words per cycle; SCALE-Sim's CALC mode).
struct RequiredBandwidth {
  double average = 0;  // its DRAM words over the GEMM's compute cycles
  double peak = 0;     // the smallest interface bandwidth at which it alone never stalls the array
};

/// What the DRAM timing model saw (the dram model only): whole bursts, row-buffer outcomes per request.
struct DramTraffic {
  std::string preset;  // DramSpec::name
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t requests = 0, row_hits = 0, row_misses = 0, row_conflicts = 0;
  double achieved_gbps = 0;  // bytes read + written over the GEMM's total time (1e9 bytes per second)
  double row_hit_rate() const {
    return requests > 0 ? static_cast<double>(row_hits) / static_cast<double>(requests) : 0.0;
  }
  /// Adds another GEMM's counts (achieved_gbps is left to the caller: it needs the summed time).
  void add_counts(const DramTraffic& o) {
    if (preset.empty()) preset = o.preset;
    bytes_read += o.bytes_read, bytes_written += o.bytes_written, requests += o.requests;
    row_hits += o.row_hits, row_misses += o.row_misses, row_conflicts += o.row_conflicts;
  }
};

struct MemoryReport {
  std::int64_t compute_cycles = 0;  // the array's own cycles, SCALE-Sim's 0-based last cycle (CycleReport::cycles)
  std::int64_t stall_cycles = 0;    // cycles the array waits for operands (or for room to write outputs)
  std::int64_t total_cycles = 0;    // compute_cycles + stall_cycles, 0-based like compute_cycles
  OperandWords sram_reads;          // array <- scratchpad (ofmap: 0, outputs are only written)
  OperandWords sram_writes;         // scratchpad <- DRAM fills for ifmap/filter, array -> scratchpad for ofmap
  OperandWords dram_reads;          // scratchpad <- DRAM (ofmap: 0)
  OperandWords dram_writes;         // scratchpad -> DRAM (ifmap, filter: 0)
  OperandSpans sram_spans, dram_spans;
  bool has_required = false;        // calc_bandwidth was asked for
  RequiredBandwidth required_ifmap, required_filter, required_ofmap;
  bool has_dram = false;            // the dram model ran
  DramTraffic dram;
  /// The stall each fold waits for, indexed like arch::FoldPlan::fold (the SystemC array's order; the models
  /// serve folds in SCALE-Sim's order, column fold outer, which differs for OS). The waits of a fold's demand
  /// lines count in that fold; the wait for the last outputs to land in DRAM counts in the fold served last.
  /// Sums to stall_cycles. Empty when the model never stalls (ideal).
  std::vector<std::int64_t> fold_stall_cycles;
};

class MemoryModel {
 public:
  virtual ~MemoryModel() = default;
  /// The name of its factory row ("ideal", "scalesim", "dram").
  virtual std::string_view name() const = 0;
  /// The memory behaviour of one GEMM on `array`. Deterministic, independent of earlier calls (SCALE-Sim
  /// starts every layer with empty scratchpads). Throws ConfigError when the config cannot serve the
  /// array (a scratchpad too small for one fold), naming the key and where it was set.
  virtual MemoryReport simulate(const arch::ArrayConfig& array, const arch::GemmShape& shape) const = 0;
};

/// What every model reports for the array side: the words the dataflow moves between the scratchpads
/// and the array (SCALE-Sim's SRAM reads and writes), from the fold plan.
///   WS: X read once per column fold, W once, Y written once per reduction fold (partial sums);
///   OS: X read once per column fold, W once per row fold, Y written once.
OperandWords array_side_reads(const arch::ArrayConfig& array, const arch::GemmShape& shape);
std::int64_t array_side_output_writes(const arch::ArrayConfig& array, const arch::GemmShape& shape);

}  // namespace saffire::memory
