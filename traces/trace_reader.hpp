#pragma once
// TraceReader: reads a trace file written by TraceWriter of this or an older schema version.
//
//   saffire::traces::TraceReader r("out.h5");
//   for (const GemmRecord& g : r.gemms()) { ... }
//   for (const FaultRecord& f : r.faults()) { ... }   // empty for version-1 files
//   for (const DecisionRecord& d : r.decisions()) { ... }  // empty for files older than version 3
//   for (const PointRecord& p : r.points()) { ... }  // empty for files older than version 4
//   for (const MemoryRecord& m : r.memory()) { ... } // empty for files older than version 6
//
// Every failure throws TraceError naming the file. Not thread-safe (serial HDF5), like TraceWriter.
#include <filesystem>
#include <memory>
#include <vector>

#include "traces/trace_error.hpp"
#include "traces/trace_records.hpp"

namespace saffire::traces {

class TraceReader {
 public:
  // Opens `path` read-only and reads the root attributes and, for files of schema version >= 5,
  // the command record (RunInfo::argv, cwd and inputs, embedded bytes included; empty for older
  // files). Throws TraceError if the file is missing, is not HDF5, has no "schema" ==
  // "saffire-trace", has a schema_version newer than kSchemaVersion (or below 1), or lacks a RunInfo
  // attribute or command-record object of its version. Before reading anything in this process it
  // reads the whole file once in a forked child (see traces/README.md, "Hostile files"): a file on
  // which libhdf5 crashes or hangs throws TraceError "...: unreadable (the HDF5 library crashed/hung
  // reading it)".
  explicit TraceReader(const std::filesystem::path& path);

  TraceReader(TraceReader&&) noexcept;
  TraceReader& operator=(TraceReader&&) noexcept;
  ~TraceReader();

  int schema_version() const { return m_schema_version; }  // as stored, 1..kSchemaVersion
  RunInfo run_info() const { return m_run_info; }
  const std::filesystem::path& path() const { return m_path; }

  // All rows of "/gemms", in append order. Reads the file on each call.
  std::vector<GemmRecord> gemms() const;

  // All rows of "/faults", in append order; empty for files older than schema version 2, which
  // have no such table. Reads the file on each call.
  std::vector<FaultRecord> faults() const;

  // All rows of "/abft" (ABFT detection decisions), in append order; empty for files older than
  // schema version 3, which have no such table. Reads the file on each call.
  std::vector<DecisionRecord> decisions() const;

  // All rows of "/points" (finished sweep points), in append order; empty for files older than
  // schema version 4, which have no such table. Reads the file on each call.
  std::vector<PointRecord> points() const;

  // All rows of "/memory" (each GEMM's memory behaviour), in append order; empty for files older than
  // schema version 6, which have no such table. Reads the file on each call.
  std::vector<MemoryRecord> memory() const;

 private:
  struct InProcessTag {};
  // Opens and validates `path` in this process, without the isolated trial read.
  TraceReader(const std::filesystem::path& path, InProcessTag);
  void open();
  // Reads the whole file once in a forked child (detail::run_isolated), so that a file on which
  // libhdf5 itself crashes or loops is rejected with a TraceError instead of taking this process down.
  static void probe_in_child(const std::filesystem::path& path);

  struct Impl;  // HDF5 handles; kept out of this header so callers need no HDF5 includes
  std::filesystem::path m_path;
  int m_schema_version = 0;
  RunInfo m_run_info;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace saffire::traces
