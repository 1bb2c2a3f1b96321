#pragma once
// HDF5 trace schema: every object and attribute name, and the version, in one place.
// Mirrored by traces/python/saffire_traces.py (tests/traces/test_python_reader.py checks they agree);
// traces/SCHEMA.md documents types, units and the versioning rule.
namespace saffire::traces {

// Version of the layout written by this library. Readers accept every version <= theirs; a new
// version only adds attributes, datasets or columns, never renames or reinterprets existing ones.
inline constexpr int kSchemaVersion = 5;

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

}  // namespace saffire::traces
