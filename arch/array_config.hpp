#pragma once
// ArrayConfig: the hardware description of one systolic array (size, dataflow, widths, clock and
// nominal supply). The clock and the nominal supply of a run live here and only here ([arch] clock_ghz
// and v_nominal, --clock-ghz and --v-nominal): the timing model, simulated time and energy all read them.
#include <cstdint>
#include <string>
#include <string_view>

namespace saffire::arch {

enum class Dataflow { WS, OS };

std::string_view to_string(Dataflow d);
/// Parses "ws" or "os" (case-insensitive); throws ConfigError otherwise.
Dataflow parse_dataflow(std::string_view text, std::string_view where = "dataflow");

/// Accumulator word of every PE: INT32, wrap-around two's complement.
using acc_t = std::int32_t;
/// Operand word (weights and activations): INT8.
using operand_t = std::int8_t;

struct ArrayConfig {
  int rows = 32;                 // R: PE rows (WS: reduction dim K; OS: output rows M)
  int cols = 32;                 // C: PE columns (output columns N in both dataflows)
  Dataflow dataflow = Dataflow::WS;
  int operand_bits = 8;          // only INT8 operands are modelled
  int accumulator_bits = 32;     // only INT32 wrap-around accumulators are modelled
  double clock_ghz = 1.0;        // clock frequency: simulated time, energy, and the timing model's period
  double v_nominal = 0.9;        // V: nominal supply, where the adder meets clock_ghz with its guard band;
                                 // a supply below it is underscaled (timing errors, less energy)
  bool os_drain = false;         // OS: add R cycles per fold to shift outputs out (SCALE-Sim paper)

  /// Throws ConfigError naming the field when a value is out of range.
  void validate() const;
  /// Clock period in picoseconds (SystemC time resolution is 1 ps).
  double period_ps() const { return 1000.0 / clock_ghz; }
};

}  // namespace saffire::arch
