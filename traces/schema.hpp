#pragma once
// HDF5 trace schema: every object and attribute name, and the version, in one place.
// Mirrored by traces/python/saffire_traces.py (tests/traces/test_python_reader.py checks they agree);
// traces/SCHEMA.md documents types, units and the versioning rule.
namespace saffire::traces {

// Version of the layout written by this library. Readers accept every version <= theirs; a new
// version only adds attributes, datasets or columns, never renames or reinterprets existing ones.
inline constexpr int kSchemaVersion = 1;

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

}  // namespace saffire::traces
