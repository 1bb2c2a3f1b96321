#pragma once
// Internal to saffire_traces: runs a read of a possibly hostile file in a forked child process, so
// that a crash or an endless loop inside libhdf5 on a corrupt file becomes a TraceError here.
#include <filesystem>
#include <functional>

namespace saffire::traces::detail {

// Seconds a trial read may take: SAFFIRE_TRACE_READ_TIMEOUT if set (a positive number), else 5 s plus
// 1 s per 8 MiB of `file` (reading runs at well over 100 MiB/s; a hang is a loop on a tiny file).
double isolated_read_timeout(const std::filesystem::path& file);

// Forks; the child runs `read` with stdout and stderr on /dev/null and reports back through a pipe.
// Returns if `read` returned. Throws TraceError naming `file`: the child's own TraceError (or other
// exception) message; "unreadable (the HDF5 library crashed reading it)" if the child died of a
// signal or exited without a report (as under AddressSanitizer); "unreadable (the HDF5 library
// hung reading it: no result after N s)" after killing a child that ran past the timeout; or
// "cannot start a process to read it" if fork or pipe fail.
void run_isolated(const std::filesystem::path& file, const std::function<void()>& read);

}  // namespace saffire::traces::detail
