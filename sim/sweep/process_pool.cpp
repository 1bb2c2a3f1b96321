#include "sim/sweep/process_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace saffire::sim {
namespace {

struct Running {
  std::size_t index;
  pid_t pid;
  int out_fd, err_fd;
  std::string out, err;
  std::chrono::steady_clock::time_point start;
};

// Reads what is available; returns false at end of file.
bool drain(int fd, std::string& into) {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

}  // namespace

// /proc/self/exe itself, not the path it points to: it runs this very binary even after a rebuild
// replaced the file (a sweep outlives many builds).
std::string self_executable() { return "/proc/self/exe"; }

int run_attached(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<std::string> all{binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> cargs;
  for (std::string& a : all) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  // The child starts with the default SIGINT / SIGTERM handling, whatever this process does with them.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), nullptr, &attr, cargs.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
  auto previous = std::signal(SIGINT, SIG_IGN);
  int status = 0;
  pid_t waited = 0;
  while ((waited = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  std::signal(SIGINT, previous);
  if (waited < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

ProcessPool::ProcessPool(std::string binary, int jobs) : m_binary(std::move(binary)), m_jobs(jobs < 1 ? 1 : jobs) {}

void ProcessPool::run(const std::vector<std::vector<std::string>>& argvs,
                      const std::function<void(const ChildResult&)>& on_done, const std::function<bool()>& stop) {
  std::vector<Running> running;
  std::size_t next = 0;
  std::string launch_error;  // the first failure to start a child: stop launching, drain, then throw
  const auto launch = [&](std::size_t i) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("sweep: pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
    std::vector<std::string> args{m_binary};
    args.insert(args.end(), argvs[i].begin(), argvs[i].end());
    std::vector<char*> cargs;
    for (std::string& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, m_binary.c_str(), &fa, nullptr, cargs.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
      close(out[0]);
      close(err[0]);
      throw std::runtime_error("sweep: cannot start " + m_binary + ": " + std::strerror(rc));
    }
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    running.push_back({i, pid, out[0], err[0], {}, {}, std::chrono::steady_clock::now()});
  };

  for (;;) {
    while (launch_error.empty() && running.size() < static_cast<std::size_t>(m_jobs) && next < argvs.size() &&
           !(stop && stop())) {
      try {
        launch(next++);
      } catch (const std::runtime_error& e) {
        launch_error = e.what();
      }
    }
    if (running.empty()) {
      if (!launch_error.empty()) throw std::runtime_error(launch_error);
      return;
    }
    std::vector<pollfd> fds;
    for (const Running& r : running) {
      if (r.out_fd >= 0) fds.push_back({r.out_fd, POLLIN, 0});
      if (r.err_fd >= 0) fds.push_back({r.err_fd, POLLIN, 0});
    }
    if (!fds.empty() && poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR)
      throw std::runtime_error(std::string("sweep: poll: ") + std::strerror(errno));
    for (std::size_t i = 0; i < running.size();) {
      Running& r = running[i];
      for (int* fd : {&r.out_fd, &r.err_fd}) {
        if (*fd < 0) continue;
        if (!drain(*fd, fd == &r.out_fd ? r.out : r.err)) {
          close(*fd);
          *fd = -1;
        }
      }
      if (r.out_fd >= 0 || r.err_fd >= 0) {
        ++i;
        continue;
      }
      int status = 0;
      while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
      }
      ChildResult res;
      res.index = r.index;
      res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      res.out = std::move(r.out);
      res.err = std::move(r.err);
      res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.start).count();
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      on_done(res);
    }
  }
}

}  // namespace saffire::sim
