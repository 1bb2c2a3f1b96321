#pragma once
// Plain records stored in a trace file; see traces/SCHEMA.md for types and units.
#include <cstdint>
#include <string>
#include <vector>

namespace saffire::traces {

// One input file of the run (schema version 5): a dataset of the group "/inputs". Small files are
// embedded (their bytes are in the trace); large ones are recorded by reference (path, size, hash).
struct InputFile {
  std::string path;        // the path as the command spelled it (an argv token, or a sweep point's option value)
  std::string resolved;    // absolute path when it was recorded
  std::string source;      // "argv": named on the command line; "point": by a sweep point's options;
                           // "found": located by the command itself (e.g. a default model file)
  std::uint64_t size = 0;  // bytes when recorded
  std::string hash;        // content hash, "fnv1a64:<16 hex digits>" (or "fnv1a64-sampled:..." for huge files)
  bool embedded = false;   // true: `content` holds the file's bytes; false: recorded by reference only
  std::string content;     // the bytes of an embedded file; "" otherwise

  bool operator==(const InputFile&) const = default;
};

// Describes the whole run; stored as attributes of the root group "/" and, since schema version 5,
// the command record: "/command_line" (argv, with the attribute cwd) and the group "/inputs".
struct RunInfo {
  std::string command;          // subcommand that produced the file, e.g. "topology" or "gemm"
  std::string config_toml;      // the full resolved config as TOML text (any size)
  std::uint64_t seed = 0;       // RNG seed of the run
  std::string saffire_version;  // e.g. "0.1.0"
  std::string created_utc;      // ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z"; TraceWriter fills it if empty
  // Version 5: the command record (empty when the writer was given none, and for older files).
  std::vector<std::string> argv;  // the command line after the program name, e.g. {"eval", "--ber", "1e-3"}
  std::string cwd;                // working directory of the run
  std::vector<InputFile> inputs;  // the files the command line named (and the command found)

  bool operator==(const RunInfo&) const = default;
};

// One simulated GEMM C(m,n) = A(m,k) * B(k,n); one row of the dataset "/gemms".
struct GemmRecord {
  std::string name;                  // layer or GEMM name, any length
  std::int64_t m = 0, n = 0, k = 0;  // GEMM shape
  std::string dataflow;              // "ws" or "os"
  std::int32_t rows = 0, cols = 0;   // array size R x C (PEs)
  std::int64_t cycles = 0;           // SCALE-Sim convention: 0-based index of the last output cycle
  std::int64_t macs = 0;             // useful multiply-accumulates, m * n * k
  double utilization = 0;            // macs / (cycles * R * C), fraction
  double mapping_efficiency = 0;     // mean fraction of PEs with real work per fold
  std::string fidelity;              // "pe" (cycle/PE-level) or "fold" (fold-level model)
  double host_seconds = 0;           // wall-clock seconds the simulation took on the host

  bool operator==(const GemmRecord&) const = default;
};

// One injected fault; one row of the dataset "/faults" (schema version 2). Plain strings and
// integers: saffire's own types (GemmId, OutputFault, HardwareSite) are converted by the caller.
struct FaultRecord {
  std::string gemm;                     // the GEMM's identity as a name, e.g. "L0.q.prefill.h-1.p0-5.c3"
  std::int32_t layer = 0;               // transformer block
  std::string component;                // "q", "k", "v", "o", "gate", "up", "down", "qk", "pv"
  std::string stage;                    // "prefill" or "decode"
  std::int32_t head = -1;               // attention head of QK/PV products, -1 for projections
  std::int64_t call_index = 0;          // running index of the GEMM call within its sequence
  std::int32_t sequence = 0;            // sequence (paragraph / prompt) of the run
  std::int64_t m = 0, n = 0;            // faulty output word Y[m][n]
  std::int64_t pe_row = 0, pe_col = 0;  // hardware address of the faulty accumulate: PE,
  std::int64_t fold = 0;                // fold (FoldPlan order)
  std::int64_t cycle = 0;               // and cycle within the fold
  std::int32_t bit = 0;                 // XOR-flipped accumulator bit
  std::int32_t before = 0;              // output word without the fault
  std::int32_t after = 0;               // output word with the fault
  std::int64_t delta = 0;               // after - before (exact, not wrapped)

  bool operator==(const FaultRecord&) const = default;
};

// One ABFT detection decision of a fault campaign; one row of the dataset "/abft" (schema version 3).
// Plain strings and numbers, like FaultRecord: saffire's ABFT types are converted by the caller.
struct DecisionRecord {
  std::string gemm;                       // the GEMM's identity as a name, e.g. "L0.q.prefill.h-1.p0-5.c3"
  std::int32_t layer = 0;                 // transformer block
  std::string component;                  // "q", "k", "v", "o", "gate", "up", "down", "qk", "pv"
  std::string stage;                      // "prefill" or "decode"
  std::int32_t head = -1;                 // attention head of QK/PV products, -1 for projections
  std::int64_t call_index = 0;            // running index of the GEMM call within its sequence
  std::int32_t sequence = 0;              // sequence (paragraph / prompt) of the run
  std::int32_t attempt = 0;               // 0 = first execution, k = k-th same-voltage recomputation
  std::int64_t tile = -1;                 // -1: the whole GEMM was the decision scope; else output-column tile
  std::string scheme;                     // "none", "classic", "classic-correct", "approxabft", "statistical",
                                          // "dmr", "thundervolt"
  std::string action;                     // "accept", "correct", "recompute", "drop"
  double msd = 0;                         // |sum of checksum deviations|
  double theta_mag = 0;                   // statistical's magnitude threshold; 0 for other schemes
  std::int64_t freq = 0;                  // deviations above theta_mag, or the count the scheme used
  std::int32_t recovered_at_nominal = 0;  // 1: the scope was finally recomputed at nominal voltage

  bool operator==(const DecisionRecord&) const = default;
};

// One finished point of a `saffire sweep` (one saffire command of the grid, run as a child process
// that prints one JSON object); one row of the dataset "/points" (schema version 4). The JSON
// columns are stored as text, exactly as given.
struct PointRecord {
  std::string key;             // 16 hex digits: hash of the point's command and options
  std::string command;         // the saffire subcommand, e.g. "eval"
  std::string options;         // JSON object of the point's options, flag -> value
  std::string coordinates;     // JSON object of just the grid values
  std::string status;          // "ok" or "failed"
  std::int32_t exit_code = 0;  // exit status of the point's process
  double seconds = 0;          // wall time of the point
  std::int32_t rank = 0;       // the shard that ran it
  std::string finished_utc;    // ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z"
  std::string result;          // the command's JSON output; "" if failed
  std::string error;           // stderr tail of a failed point; "" if ok

  bool operator==(const PointRecord&) const = default;
};

// One GEMM's memory behaviour; one row of the dataset "/memory" (schema version 6). Plain numbers: the
// caller converts saffire's memory::MemoryReport. Words per operand: ifmap = X, filter = W, ofmap = Y.
struct MemoryRecord {
  std::string gemm;                  // the GEMM's name, as its /gemms (topology) or /faults (eval) rows
  std::string model;                 // "ideal", "scalesim" or "dram"
  std::string dram_preset;           // the dram model's preset (e.g. "HBM2E"), "" for the other models
  std::int64_t compute_cycles = 0;   // the array's own cycles, 0-based like GemmRecord::cycles
  std::int64_t stall_cycles = 0;     // cycles the array waited for operands or for room for outputs
  std::int64_t total_cycles = 0;     // compute + stall, 0-based
  std::int64_t sram_reads_ifmap = 0, sram_reads_filter = 0, sram_reads_ofmap = 0;     // words, array <- scratchpad
  std::int64_t sram_writes_ifmap = 0, sram_writes_filter = 0, sram_writes_ofmap = 0;  // words, into a scratchpad
  std::int64_t dram_reads_ifmap = 0, dram_reads_filter = 0, dram_reads_ofmap = 0;     // words, scratchpad <- DRAM
  std::int64_t dram_writes_ifmap = 0, dram_writes_filter = 0, dram_writes_ofmap = 0;  // words, scratchpad -> DRAM
  std::int64_t dram_bytes_read = 0, dram_bytes_written = 0;  // bytes, whole bursts (dram model); 0 for the other models
  double achieved_gbps = 0;          // dram: DRAM bytes over the GEMM's total time, 1e9 bytes per second; else 0
  double required_avg_ifmap = 0, required_avg_filter = 0, required_avg_ofmap = 0;     // words/cycle, 0 = not asked
  double required_peak_ifmap = 0, required_peak_filter = 0, required_peak_ofmap = 0;  // words/cycle, 0 = not asked
  std::int64_t dram_requests = 0;    // dram: burst requests and their row-buffer outcomes; 0 for the other models
  std::int64_t dram_row_hits = 0, dram_row_misses = 0, dram_row_conflicts = 0;
  double row_hit_rate = 0;           // dram: row-buffer hits / requests; 0 for the other models
  double sram_energy_pj = 0;         // the GEMM's SRAM energy (picojoules); 0 when not priced
  double dram_energy_pj = 0;         // the GEMM's DRAM energy (picojoules); 0 when not priced

  bool operator==(const MemoryRecord&) const = default;
};

}  // namespace saffire::traces
