#pragma once
// Where a fault lands: every fault has an address in the GEMM's space (output row m, output
// column n, reduction step k) and in the hardware's space (fold, PE row, PE column, cycle), and the
// dataflow fixes the map between them. Engines that do not simulate the array use the same map.
#include <cstdint>

#include "arch/array_config.hpp"
#include "arch/fold_plan.hpp"

namespace saffire::arch {

/// A flipped accumulator bit of one output word (the output-word fault models).
struct OutputFault {
  std::int64_t m = 0, n = 0;  // output word Y[m][n]
  int bit = 0;                // XOR-flipped accumulator bit
};

struct GemmSite {
  std::int64_t m = 0, n = 0, k = 0;
};

struct HardwareSite {
  std::int64_t fold = 0;   // index in FoldPlan order
  std::int64_t pe_row = 0;
  std::int64_t pe_col = 0;
  std::int64_t cycle = 0;  // cycle within the fold, 0-based (WS counts the R weight-load cycles)
};

/// The PE and cycle at which the accumulate of reduction step k into output (m, n) happens.
///  WS: fold (n / C, k / R); PE (k % R, n % C); stream cycle m + k%R + n%C after the R load cycles.
///  OS: fold (m / R, n / C); PE (m % R, n % C); cycle k + m%R + n%C.
HardwareSite map_to_hardware(const ArrayConfig& cfg, const GemmShape& shape, const GemmSite& site);

}  // namespace saffire::arch
