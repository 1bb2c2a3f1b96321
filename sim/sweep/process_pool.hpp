#pragma once
// ProcessPool: runs child processes, at most `jobs` at a time, and reports each one's exit status and
// captured stdout / stderr as it finishes. A sweep runs its points this way: a point that crashes
// takes only its own process down, and points run in parallel although SystemC allows one scheduler
// per process.
#include <functional>
#include <string>
#include <vector>

namespace saffire::sim {

struct ChildResult {
  std::size_t index = 0;   // which job
  int exit_code = 0;       // exit status, or 128 + signal number when killed by a signal
  std::string out, err;    // everything the child wrote
  double seconds = 0;      // wall time
};

class ProcessPool {
 public:
  /// `binary`: the program every job runs; `jobs`: parallel children (>= 1).
  ProcessPool(std::string binary, int jobs);

  /// Runs argv lists (the program's arguments) and calls on_done for each in completion order, from
  /// the calling thread. `stop()` returning true stops launching new children; running ones finish.
  void run(const std::vector<std::vector<std::string>>& argvs, const std::function<void(const ChildResult&)>& on_done,
           const std::function<bool()>& stop = {});

 private:
  std::string m_binary;
  int m_jobs;
};

/// The running executable, as a path that keeps naming it when its file is replaced (/proc/self/exe).
std::string self_executable();

/// Runs `binary` with `args` (the program's arguments) in the foreground: the child shares this
/// process's stdin, stdout and stderr, and SIGINT is ignored here while it runs (a Ctrl-C reaches the
/// child, whose exit status is then reported). Returns its exit status, or 128 + signal number when
/// it was killed by a signal. Throws std::runtime_error when it cannot be started. (`saffire rerun`.)
int run_attached(const std::string& binary, const std::vector<std::string>& args);

}  // namespace saffire::sim
