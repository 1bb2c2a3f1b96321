#pragma once
// Progress: one status line on stderr for long runs (points done, rate, ETA), redrawn in place on a
// terminal; when stderr is a log file, a plain line at every tenth of the work; nothing when disabled.
#include <chrono>
#include <cstddef>
#include <string>

namespace saffire::sim {

class Progress {
 public:
  /// `total` units to do now (`already` more were done before, e.g. resumed points).
  Progress(std::string what, std::size_t total, std::size_t already, bool enabled);
  /// One more unit finished (`failed`: it did not succeed).
  void step(bool failed = false);
  /// Ends the line.
  void finish();
  /// "1h02m", "3m05s", "42s".
  static std::string format_duration(double seconds);

 private:
  void draw();
  std::string m_what;
  std::size_t m_total, m_already, m_done = 0, m_failed = 0;
  bool m_enabled, m_tty;
  std::size_t m_next_log = 0;  // not a terminal: units done at which the next line is written
  std::chrono::steady_clock::time_point m_start;
};

}  // namespace saffire::sim
