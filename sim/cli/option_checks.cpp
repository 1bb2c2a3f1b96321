#include "sim/cli/option_checks.hpp"

#include <sched.h>

#include <cmath>
#include <thread>
#include <vector>

#include "models/gemm/int8_gemm.hpp"

namespace saffire::cli {
namespace {

std::string number_check(const std::string& text, double lo, double hi, bool open_low) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v) || (open_low ? !(v > lo) : !(v >= lo)) || !(v <= hi))
    return "expected a finite number in " + std::string(open_low ? "(" : "[") + CLI::detail::to_string(lo) + ", " +
           CLI::detail::to_string(hi) + "], got '" + text + "'";
  return "";
}

}  // namespace

CLI::Validator finite_in(double lo, double hi) {
  return CLI::Validator([lo, hi](std::string& s) { return number_check(s, lo, hi, false); }, "FINITE");
}

CLI::Validator finite_above(double lo, double hi) {
  return CLI::Validator([lo, hi](std::string& s) { return number_check(s, lo, hi, true); }, "FINITE");
}

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

CLI::Validator thread_count() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        const int cores = available_cores();
        std::size_t used = 0;
        long v = -1;
        try {
          v = std::stol(s, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != s.size() || v < 0 || v > cores)
          return "expected 0 (all cores) to " + std::to_string(cores) + " (the cores of this machine), got '" + s + "'";
        return "";
      },
      "0..CORES");
}

CLI::Validator unsigned_integer() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
          return "expected an unsigned integer (digits only), got '" + s + "'";
        return "";
      },
      "UINT");
}

CLI::Validator kernel_name() {
  std::vector<std::string> names{"auto"};
  for (const auto& n : models::int8_gemm_kernel_names()) names.emplace_back(n);
  return CLI::IsMember(names);
}

}  // namespace saffire::cli
