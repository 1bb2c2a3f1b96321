#pragma once
// ArrayConfig: the hardware description of one systolic array (size, dataflow, widths, clock and
// nominal supply). The clock and the nominal supply of a run live here and only here ([arch] clock_ghz
// and v_nominal, --clock-ghz and --v-nominal): the timing model, simulated time and energy all read them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "arch/numerics/pe_numerics.hpp"

namespace saffire::arch {

enum class Dataflow { WS, OS };

std::string_view to_string(Dataflow d);
/// Parses "ws" or "os" (case-insensitive); throws ConfigError otherwise.
Dataflow parse_dataflow(std::string_view text, std::string_view where = "dataflow");

/// Accumulator word of the INT8 array (numerics int8 -> int32): INT32, wrap-around two's complement.
using acc_t = std::int32_t;
/// Operand word (weights and activations) of the INT8 array. Other formats: `numerics` below.
using operand_t = std::int8_t;

struct ArrayConfig {
  int rows = 32;                 // R: PE rows (WS: reduction dim K; OS: output rows M)
  int cols = 32;                 // C: PE columns (output columns N in both dataflows)
  Dataflow dataflow = Dataflow::WS;
  int operand_bits = 8;          // width of numerics.operand (must match it)
  int accumulator_bits = 32;     // width of numerics.accumulator (must match it)
  PeNumerics numerics;           // operand/accumulator/output-buffer formats, fma (arch/numerics/)
  double clock_ghz = 1.0;        // clock frequency: simulated time, energy, and the timing model's period
  double v_nominal = 0.9;        // V: nominal supply, where the adder meets clock_ghz with its guard band;
                                 // a supply below it is underscaled (timing errors, less energy)
  bool os_drain = false;         // OS: add R cycles per fold to shift outputs out (SCALE-Sim paper)

  /// Throws ConfigError naming the field when a value is out of range.
  void validate() const;
  /// Clock period in picoseconds (SystemC time resolution is 1 ps).
  double period_ps() const { return 1000.0 / clock_ghz; }
};

/// Sets the named formats; one left out follows the others: a new operand class (integer / float)
/// brings its default accumulator (int32 / fp32), a new accumulator its output buffer. Also sets
/// operand_bits and accumulator_bits to the widths. (The [arch] reader and the CLI overrides use it.)
void set_numeric_types(ArrayConfig& cfg, std::optional<NumberFormat> operand, std::optional<NumberFormat> accumulator,
                       std::optional<NumberFormat> output_buffer);

}  // namespace saffire::arch
