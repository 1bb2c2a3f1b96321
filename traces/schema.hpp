#pragma once
// HDF5 trace schema: every object and attribute name, and the version, in one place.
// Mirrored by traces/python/saffire_traces.py (tests/traces/test_python_reader.py checks they agree);
// traces/SCHEMA.md documents types, units and the versioning rule.
namespace saffire::traces {

// Version of the layout written by this library. Readers accept every version <= theirs; a new
// version only adds attributes, datasets or columns, never renames or reinterprets existing ones.
inline constexpr int kSchemaVersion = 6;

// Value of the root attribute kAttrSchema; anything else is not a saffire trace.
inline constexpr char kSchemaName[] = "saffire-trace";

// Root-group ("/") attributes.
inline constexpr char kAttrSchema[] = "schema";                   // string, == kSchemaName
inline constexpr char kAttrSchemaVersion[] = "schema_version";    // int32
inline constexpr char kAttrCommand[] = "command";                 // string
inline constexpr char kAttrConfigToml[] = "config_toml";          // string
inline constexpr char kAttrSeed[] = "seed";                       // uint64
inline constexpr char kAttrSaffireVersion[] = "saffire_version";  // string
inline constexpr char kAttrCreatedUtc[] = "created_utc";          // string, ISO-8601 UTC

// Datasets.
inline constexpr char kGemmsDataset[] = "/gemms";  // 1-D extensible compound, one row per GEMM
inline constexpr unsigned kGemmsChunkRows = 64;    // rows per chunk: appends touch one chunk
// Version 2 adds:
inline constexpr char kFaultsDataset[] = "/faults";  // 1-D extensible compound, one row per injected fault
inline constexpr unsigned kFaultsChunkRows = 1024;   // rows per chunk: faults come in batches
inline constexpr int kFaultsSinceVersion = 2;        // files of older versions have no kFaultsDataset
// Version 3 adds:
inline constexpr char kDecisionsDataset[] = "/abft";   // 1-D extensible compound, one row per ABFT decision
inline constexpr unsigned kDecisionsChunkRows = 1024;  // rows per chunk: decisions come in batches
inline constexpr int kDecisionsSinceVersion = 3;       // files of older versions have no kDecisionsDataset
// Version 4 adds:
inline constexpr char kPointsDataset[] = "/points";  // 1-D extensible compound, one row per finished sweep point
inline constexpr unsigned kPointsChunkRows = 64;     // rows per chunk: points are appended one or a few at a time
inline constexpr int kPointsSinceVersion = 4;        // files of older versions have no kPointsDataset
// Version 5 adds the command record: how the file was made (the command line and its input files).
inline constexpr char kCommandLineDataset[] = "/command_line";  // 1-D variable-length strings: argv after the program
inline constexpr char kCommandLineAttrCwd[] = "cwd";            // string attribute of kCommandLineDataset
inline constexpr char kInputsGroup[] = "/inputs";               // group: one dataset per input file, named "0", "1", ...
inline constexpr int kCommandSinceVersion = 5;                  // files of older versions have neither
// Attributes of each kInputsGroup dataset (the dataset holds the file's bytes as uint8, or none).
inline constexpr char kInputAttrPath[] = "path";          // string: the path as the command spelled it
inline constexpr char kInputAttrResolved[] = "resolved";  // string: absolute path when recorded
inline constexpr char kInputAttrSource[] = "source";      // string: "argv", "point" or "found"
inline constexpr char kInputAttrSize[] = "size";          // uint64: bytes of the file when recorded
inline constexpr char kInputAttrHash[] = "hash";          // string: "fnv1a64:<16 hex>" or "fnv1a64-sampled:<16 hex>"
inline constexpr char kInputAttrEmbedded[] = "embedded";  // int32: 1 = the dataset holds the bytes, 0 = by reference
// Version 6 adds:
inline constexpr char kMemoryDataset[] = "/memory";  // 1-D extensible compound, one row per GEMM's memory behaviour
inline constexpr unsigned kMemoryChunkRows = 64;     // rows per chunk: one row per GEMM, appended in batches
inline constexpr int kMemorySinceVersion = 6;        // files of older versions have no kMemoryDataset

// Columns of kGemmsDataset, in file order.
inline constexpr char kColName[] = "name";
inline constexpr char kColM[] = "m";
inline constexpr char kColN[] = "n";
inline constexpr char kColK[] = "k";
inline constexpr char kColDataflow[] = "dataflow";
inline constexpr char kColRows[] = "rows";
inline constexpr char kColCols[] = "cols";
inline constexpr char kColCycles[] = "cycles";
inline constexpr char kColMacs[] = "macs";
inline constexpr char kColUtilization[] = "utilization";
inline constexpr char kColMappingEfficiency[] = "mapping_efficiency";
inline constexpr char kColFidelity[] = "fidelity";
inline constexpr char kColHostSeconds[] = "host_seconds";

// Columns of kFaultsDataset (version 2), in file order. Named kFaultCol* (not kCol*): kCol* are
// the /gemms columns.
inline constexpr char kFaultColGemm[] = "gemm";             // string: the GEMM's identity
inline constexpr char kFaultColLayer[] = "layer";           // int32
inline constexpr char kFaultColComponent[] = "component";   // string
inline constexpr char kFaultColStage[] = "stage";           // string
inline constexpr char kFaultColHead[] = "head";             // int32
inline constexpr char kFaultColCallIndex[] = "call_index";  // int64
inline constexpr char kFaultColSequence[] = "sequence";     // int32
inline constexpr char kFaultColM[] = "m";                   // int64: output row
inline constexpr char kFaultColN[] = "n";                   // int64: output column
inline constexpr char kFaultColPeRow[] = "pe_row";          // int64
inline constexpr char kFaultColPeCol[] = "pe_col";          // int64
inline constexpr char kFaultColFold[] = "fold";             // int64
inline constexpr char kFaultColCycle[] = "cycle";           // int64
inline constexpr char kFaultColBit[] = "bit";               // int32
inline constexpr char kFaultColBefore[] = "before";         // int32
inline constexpr char kFaultColAfter[] = "after";           // int32
inline constexpr char kFaultColDelta[] = "delta";           // int64

// Columns of kDecisionsDataset (version 3), in file order: one ABFT detection decision each.
inline constexpr char kDecisionColGemm[] = "gemm";                                // string: the GEMM's identity
inline constexpr char kDecisionColLayer[] = "layer";                              // int32
inline constexpr char kDecisionColComponent[] = "component";                      // string
inline constexpr char kDecisionColStage[] = "stage";                              // string
inline constexpr char kDecisionColHead[] = "head";                                // int32
inline constexpr char kDecisionColCallIndex[] = "call_index";                     // int64
inline constexpr char kDecisionColSequence[] = "sequence";                        // int32
inline constexpr char kDecisionColAttempt[] = "attempt";                          // int32: 0 = first execution
inline constexpr char kDecisionColTile[] = "tile";                                // int64: -1 = whole GEMM
inline constexpr char kDecisionColScheme[] = "scheme";                            // string
inline constexpr char kDecisionColAction[] = "action";                            // string
inline constexpr char kDecisionColMsd[] = "msd";                                  // float64
inline constexpr char kDecisionColThetaMag[] = "theta_mag";                       // float64
inline constexpr char kDecisionColFreq[] = "freq";                                // int64
inline constexpr char kDecisionColRecoveredAtNominal[] = "recovered_at_nominal";  // int32: 0 or 1

// Columns of kPointsDataset (version 4), in file order: one finished point of a `saffire sweep` each.
inline constexpr char kPointColKey[] = "key";                   // string: 16 hex digits, hash of command + options
inline constexpr char kPointColCommand[] = "command";           // string: the saffire subcommand, e.g. "eval"
inline constexpr char kPointColOptions[] = "options";           // string: JSON object, flag -> value
inline constexpr char kPointColCoordinates[] = "coordinates";   // string: JSON object of the grid values only
inline constexpr char kPointColStatus[] = "status";             // string: "ok" or "failed"
inline constexpr char kPointColExitCode[] = "exit_code";        // int32: the child process's exit status
inline constexpr char kPointColSeconds[] = "seconds";           // float64: wall time of the point
inline constexpr char kPointColRank[] = "rank";                 // int32: the shard that ran it
inline constexpr char kPointColFinishedUtc[] = "finished_utc";  // string: ISO-8601 UTC
inline constexpr char kPointColResult[] = "result";             // string: the command's JSON output, "" if failed
inline constexpr char kPointColError[] = "error";               // string: stderr tail of a failed point, "" if ok

// Columns of kMemoryDataset (version 6), in file order: one GEMM behind the memory model (sim/memory/).
// Words per operand: ifmap = X (activations), filter = W (weights), ofmap = Y (outputs).
inline constexpr char kMemoryColGemm[] = "gemm";                        // string: the GEMM's name (as in /gemms)
inline constexpr char kMemoryColModel[] = "model";                      // string: "ideal", "scalesim", "dram"
inline constexpr char kMemoryColDramPreset[] = "dram_preset";           // string: the dram model's preset, else ""
inline constexpr char kMemoryColComputeCycles[] = "compute_cycles";     // int64: 0-based, as /gemms cycles
inline constexpr char kMemoryColStallCycles[] = "stall_cycles";         // int64
inline constexpr char kMemoryColTotalCycles[] = "total_cycles";         // int64: compute + stall, 0-based
inline constexpr char kMemoryColSramReadsIfmap[] = "sram_reads_ifmap";  // int64 words: array <- scratchpad
inline constexpr char kMemoryColSramReadsFilter[] = "sram_reads_filter";
inline constexpr char kMemoryColSramReadsOfmap[] = "sram_reads_ofmap";
inline constexpr char kMemoryColSramWritesIfmap[] = "sram_writes_ifmap";  // int64 words: into the scratchpad
inline constexpr char kMemoryColSramWritesFilter[] = "sram_writes_filter";
inline constexpr char kMemoryColSramWritesOfmap[] = "sram_writes_ofmap";
inline constexpr char kMemoryColDramReadsIfmap[] = "dram_reads_ifmap";  // int64 words: scratchpad <- DRAM
inline constexpr char kMemoryColDramReadsFilter[] = "dram_reads_filter";
inline constexpr char kMemoryColDramReadsOfmap[] = "dram_reads_ofmap";
inline constexpr char kMemoryColDramWritesIfmap[] = "dram_writes_ifmap";  // int64 words: scratchpad -> DRAM
inline constexpr char kMemoryColDramWritesFilter[] = "dram_writes_filter";
inline constexpr char kMemoryColDramWritesOfmap[] = "dram_writes_ofmap";
inline constexpr char kMemoryColDramBytesRead[] = "dram_bytes_read";        // int64 bytes, whole bursts (dram model), else 0
inline constexpr char kMemoryColDramBytesWritten[] = "dram_bytes_written";  // int64 bytes
inline constexpr char kMemoryColAchievedGbps[] = "achieved_gbps";           // float64: dram model: bytes / GEMM time, 1e9 B/s
// float64 words/cycle: the bandwidth each operand needs for zero stalls (SCALE-Sim's CALC mode, average and
// peak); 0 when it was not asked for (calc_bandwidth off).
inline constexpr char kMemoryColRequiredAvgIfmap[] = "required_avg_ifmap";
inline constexpr char kMemoryColRequiredAvgFilter[] = "required_avg_filter";
inline constexpr char kMemoryColRequiredAvgOfmap[] = "required_avg_ofmap";
inline constexpr char kMemoryColRequiredPeakIfmap[] = "required_peak_ifmap";
inline constexpr char kMemoryColRequiredPeakFilter[] = "required_peak_filter";
inline constexpr char kMemoryColRequiredPeakOfmap[] = "required_peak_ofmap";
inline constexpr char kMemoryColDramRequests[] = "dram_requests";            // int64: dram model's burst requests, else 0
inline constexpr char kMemoryColDramRowHits[] = "dram_row_hits";             // int64: requests to the open row
inline constexpr char kMemoryColDramRowMisses[] = "dram_row_misses";         // int64: requests to a closed bank
inline constexpr char kMemoryColDramRowConflicts[] = "dram_row_conflicts";   // int64: requests to another row
inline constexpr char kMemoryColRowHitRate[] = "row_hit_rate";  // float64 0..1: dram_row_hits / dram_requests, 0 if none
// float64 picojoules: the GEMM's SRAM and DRAM energy at the memory's own supplies (sim/energy_report); 0 when the
// command priced none.
inline constexpr char kMemoryColSramEnergyPj[] = "sram_energy_pj";
inline constexpr char kMemoryColDramEnergyPj[] = "dram_energy_pj";

}  // namespace saffire::traces
