#pragma once
// TraceWriter: writes one HDF5 trace file (layout in traces/SCHEMA.md).
//
//   saffire::traces::TraceWriter w("out.h5", {.command = "gemm", .config_toml = toml, .seed = 1,
//                                             .saffire_version = SAFFIRE_VERSION});
//   w.append_gemm(record);   // durable on return: the file is flushed
//   w.append_faults(faults); // a batch of fault rows, one HDF5 write, then flushed
//   w.append_decisions(ds);  // a batch of ABFT decision rows, likewise
//   w.append_points(ps);     // a batch of sweep-point rows, likewise
//   w.append_memory(ms);     // a batch of per-GEMM memory rows (schema v6), likewise
//   w.close();               // or let the destructor close it
//
//   auto w = saffire::traces::TraceWriter::append("out.h5");  // resume: add rows to an existing trace
//
// Every failure throws TraceError naming the file. Not thread-safe (Debian's HDF5 is the serial,
// non-thread-safe build): use one writer from one thread, and no other HDF5 use concurrently.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <vector>

#include "traces/trace_error.hpp"
#include "traces/trace_records.hpp"

namespace saffire::traces {

class TraceWriter {
 public:
  // Creates or truncates `path` and writes the root attributes: "schema", "schema_version" and
  // RunInfo (created_utc is set to the current UTC time when info.created_utc is empty), the command
  // record ("/command_line" from info.argv and info.cwd, "/inputs" from info.inputs; both present,
  // possibly empty), plus empty "/gemms", "/faults", "/abft", "/points" and "/memory" tables. The file is
  // flushed before returning.
  TraceWriter(const std::filesystem::path& path, const RunInfo& info);

  // Opens the EXISTING trace `path` read-write to append rows to all its tables (e.g. to resume an
  // interrupted sweep). The counts start at the file's current row counts, new rows go after the
  // existing ones, and the root attributes and command record (RunInfo) are left unchanged (they
  // describe the first run). Throws TraceError naming the file if it is missing, not HDF5, not a
  // saffire trace, has a schema_version other than kSchemaVersion (appending needs the current
  // version: older files lack tables or columns), lacks one of the tables or a column of one, or
  // cannot be opened for writing (e.g. another writer holds it).
  static TraceWriter append(const std::filesystem::path& path);

  TraceWriter(TraceWriter&&) noexcept;
  TraceWriter& operator=(TraceWriter&&) noexcept;  // closes this writer's file first, quietly
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Closes the file if still open; never throws (a failure to close is lost: call close() to see it).
  ~TraceWriter();

  // Appends one row to "/gemms" and flushes the file, so a run interrupted later keeps this row.
  // Throws TraceError after close() or on any HDF5 failure.
  void append_gemm(const GemmRecord& r);

  // Appends the rows to "/faults" with one HDF5 write, then flushes the file. An empty batch does
  // nothing. Throws TraceError after close() or on any HDF5 failure (the table then keeps the rows
  // of earlier batches).
  void append_faults(const std::vector<FaultRecord>& rows);

  // Appends the rows to "/abft" with one HDF5 write, then flushes the file. An empty batch does
  // nothing. Throws TraceError after close() or on any HDF5 failure (the table then keeps the rows
  // of earlier batches).
  void append_decisions(const std::vector<DecisionRecord>& rows);

  // Appends the rows to "/points" with one HDF5 write, then flushes the file. An empty batch does
  // nothing. Throws TraceError after close() or on any HDF5 failure (the table then keeps the rows
  // of earlier batches).
  void append_points(const std::vector<PointRecord>& rows);

  // Appends the rows to "/memory" with one HDF5 write, then flushes the file. An empty batch does
  // nothing. Throws TraceError after close() or on any HDF5 failure.
  void append_memory(const std::vector<MemoryRecord>& rows);

  // Flushes and closes the file. Idempotent. Throws TraceError if HDF5 fails to close it.
  void close();

  bool is_open() const;
  const std::filesystem::path& path() const { return m_path; }
  std::size_t gemm_count() const { return m_gemm_count; }          // "/gemms" rows appended so far
  std::size_t fault_count() const { return m_fault_count; }        // "/faults" rows appended so far
  std::size_t decision_count() const { return m_decision_count; }  // "/abft" rows appended so far
  std::size_t point_count() const { return m_point_count; }        // "/points" rows appended so far
  std::size_t memory_count() const { return m_memory_count; }      // "/memory" rows appended so far
  // (After append(path), each count includes the rows the file held when it was opened.)

 private:
  struct Impl;  // HDF5 handles; kept out of this header so callers need no HDF5 includes
  struct AppendTag {};
  TraceWriter(const std::filesystem::path& path, AppendTag);  // what append() runs

  std::filesystem::path m_path;
  std::size_t m_gemm_count = 0;
  std::size_t m_fault_count = 0;
  std::size_t m_decision_count = 0;
  std::size_t m_point_count = 0;
  std::size_t m_memory_count = 0;
  std::unique_ptr<Impl> m_impl;  // null once closed or moved from
};

}  // namespace saffire::traces
