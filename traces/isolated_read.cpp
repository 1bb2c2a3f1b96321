// Trial reads in a forked child (see isolated_read.hpp).
#include "traces/isolated_read.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <system_error>

#include "traces/h5_support.hpp"

namespace saffire::traces::detail {
namespace {

// Writes all of `text` to `fd`, ignoring failures (the parent then sees a short report).
void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child_main(int report_fd, const std::function<void()>& read) {
  const int null_fd = ::open("/dev/null", O_WRONLY);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
  }
  std::string report;
  try {
    read();
    report = "ok";
  } catch (const std::bad_alloc&) {
    report = "E:unreadable (out of memory reading it)";
  } catch (const TraceError& e) {
    report = std::string("T:") + e.what();
  } catch (const std::exception& e) {
    report = std::string("E:unreadable (") + e.what() + ")";
  } catch (...) {
    report = "E:unreadable (unknown error reading it)";
  }
  write_all(report_fd, report);
  // _exit: no atexit handlers, no HDF5 shutdown, no flushing of stdio buffers copied from the parent.
  ::_exit(0);
}

}  // namespace

double isolated_read_timeout(const std::filesystem::path& file) {
  if (const char* env = std::getenv("SAFFIRE_TRACE_READ_TIMEOUT")) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (end != env && *end == '\0' && std::isfinite(v) && v > 0) return v;
  }
  std::error_code ec;
  const std::uintmax_t bytes = std::filesystem::file_size(file, ec);
  return 5.0 + (ec ? 0.0 : static_cast<double>(bytes) / (8.0 * 1024 * 1024));
}

void run_isolated(const std::filesystem::path& file, const std::function<void()>& read) {
  const double timeout = isolated_read_timeout(file);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw trace_error(file, std::string("cannot start a process to read it: pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw trace_error(file, std::string("cannot start a process to read it: fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], read);
  }
  ::close(fds[1]);
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(timeout));
  std::string report;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child has exited (or closed the pipe on its way out)
    report.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    throw trace_error(file, "unreadable (the HDF5 library hung reading it: no result after " +
                                std::to_string(std::llround(timeout)) +
                                " s; SAFFIRE_TRACE_READ_TIMEOUT sets the limit)");
  }
  if (report == "ok") return;
  if (report.rfind("T:", 0) == 0) throw TraceError(report.substr(2));
  if (report.rfind("E:", 0) == 0) throw trace_error(file, report.substr(2));
  std::string how = "crashed reading it";
  if (WIFSIGNALED(status)) how += std::string(": ") + ::strsignal(WTERMSIG(status));
  throw trace_error(file, "unreadable (the HDF5 library " + how + ")");
}

}  // namespace saffire::traces::detail
