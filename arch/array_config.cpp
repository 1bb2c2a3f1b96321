#include "arch/array_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
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
  numerics.validate("arch.");
  if (operand_bits != info(numerics.operand).bits)
    throw ConfigError("arch.operand_bits: " + std::to_string(operand_bits) + " does not match operand_type " +
                      std::string(to_string(numerics.operand)) + " (" + std::to_string(info(numerics.operand).bits) +
                      " bits; leave operand_bits out)");
  if (accumulator_bits != info(numerics.accumulator).bits)
    throw ConfigError("arch.accumulator_bits: " + std::to_string(accumulator_bits) + " does not match accumulator_type " +
                      std::string(to_string(numerics.accumulator)) + " (" +
                      std::to_string(info(numerics.accumulator).bits) + " bits; leave accumulator_bits out)");
  if (!(clock_ghz >= 1e-3) || !std::isfinite(clock_ghz) || clock_ghz > 100.0)
    throw ConfigError("arch.clock_ghz: expected a frequency from 0.001 (1 MHz) to 100 GHz, got " + shortest(clock_ghz));
  if (!(v_nominal > 0.0) || !std::isfinite(v_nominal) || v_nominal > 5.0)
    throw ConfigError("arch.v_nominal: expected a nominal supply in (0, 5] V, got " + std::to_string(v_nominal));
}

void set_numeric_types(ArrayConfig& cfg, std::optional<NumberFormat> operand, std::optional<NumberFormat> accumulator,
                       std::optional<NumberFormat> output_buffer) {
  PeNumerics& n = cfg.numerics;
  if (operand) {
    n.operand = *operand;
    // A new operand class (integer or float) brings its default accumulator unless one is named.
    const bool int_operand = !info(*operand).is_float;
    if (!accumulator && int_operand == info(n.accumulator).is_float) {
      n.accumulator = int_operand ? NumberFormat::Int32 : NumberFormat::Fp32;
      if (!output_buffer) n.output_buffer = n.accumulator;
    }
  }
  if (accumulator) {
    n.accumulator = *accumulator;
    if (!output_buffer) n.output_buffer = n.accumulator;
  }
  if (output_buffer) n.output_buffer = *output_buffer;
  cfg.operand_bits = info(n.operand).bits;
  cfg.accumulator_bits = info(n.accumulator).bits;
}

}  // namespace saffire::arch
