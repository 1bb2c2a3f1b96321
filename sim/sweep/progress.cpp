#include "sim/sweep/progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace saffire::sim {

Progress::Progress(std::string what, std::size_t total, std::size_t already, bool enabled)
    : m_what(std::move(what)),
      m_total(total),
      m_already(already),
      m_enabled(enabled),
      m_tty(isatty(fileno(stderr)) != 0),
      m_start(std::chrono::steady_clock::now()) {
  m_next_log = std::max<std::size_t>(1, m_total / 10);
  if (m_tty) draw();
}

std::string Progress::format_duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

void Progress::step(bool failed) {
  ++m_done;
  m_failed += failed ? 1 : 0;
  draw();
}

void Progress::draw() {
  if (!m_enabled) return;
  if (!m_tty) {
    if (m_done < m_next_log && m_done != m_total) return;
    m_next_log = m_done + std::max<std::size_t>(1, m_total / 10);
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  const double rate = elapsed > 0 ? static_cast<double>(m_done) / elapsed : 0;
  std::string eta = "-";
  if (m_done > 0 && rate > 0) eta = format_duration(static_cast<double>(m_total - m_done) / rate);
  fmt::print(stderr, "{}{} {}/{}{}{}, {:.2f}/s, ETA {}{}", m_tty ? "\r" : "", m_what, m_done, m_total,
             m_already ? fmt::format(" (+{} done before)", m_already) : "",
             m_failed ? fmt::format(", {} failed", m_failed) : "", rate, eta, m_tty ? "   " : "\n");
  std::fflush(stderr);
}

void Progress::finish() {
  if (m_enabled && m_tty) fmt::print(stderr, "\n");
}

}  // namespace saffire::sim
