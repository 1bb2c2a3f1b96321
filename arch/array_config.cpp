#include "arch/array_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::arch {
namespace {

std::string shortest(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string_view to_string(Dataflow d) { return d == Dataflow::WS ? "ws" : "os"; }

Dataflow parse_dataflow(std::string_view text, std::string_view where) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "ws") return Dataflow::WS;
  if (lower == "os") return Dataflow::OS;
  throw ConfigError(std::string(where) + ": unknown dataflow '" + std::string(text) + "' (expected ws or os)");
}

void ArrayConfig::validate() const {
  constexpr int kMaxDim = 4096;
  if (rows < 1 || rows > kMaxDim)
    throw ConfigError("arch.rows: expected an integer in [1, 4096], got " + std::to_string(rows));
  if (cols < 1 || cols > kMaxDim)
    throw ConfigError("arch.cols: expected an integer in [1, 4096], got " + std::to_string(cols));
  if (operand_bits != 8)
    throw ConfigError("arch.operand_bits: only 8 (INT8) is modelled, got " + std::to_string(operand_bits));
  if (accumulator_bits != 32)
    throw ConfigError("arch.accumulator_bits: only 32 (INT32) is modelled, got " + std::to_string(accumulator_bits));
  if (!(clock_ghz >= 1e-3) || !std::isfinite(clock_ghz) || clock_ghz > 100.0)
    throw ConfigError("arch.clock_ghz: expected a frequency from 0.001 (1 MHz) to 100 GHz, got " + shortest(clock_ghz));
  if (!(v_nominal > 0.0) || !std::isfinite(v_nominal) || v_nominal > 5.0)
    throw ConfigError("arch.v_nominal: expected a nominal supply in (0, 5] V, got " + std::to_string(v_nominal));
}

}  // namespace saffire::arch
