#pragma once
// Access energy of an SRAM scratchpad by its size: Horowitz's (ISSCC 2014) 64-bit access energies at
// 45 nm, 0.9 V -- 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ -- interpolated log-log between the three
// points and extrapolated with the slope of the nearest segment (CACTI's trend: energy grows roughly
// with the square root of the capacity, bit lines and word lines lengthening with the array). The curve
// gives the *ratio* to the 8 KB figure; the figure itself is the TechTable's sram_energy_pj_per_access
// (node-scaled, user-overridable), so a table at another node or voltage scales the whole curve.
#include "arch/tech/tech_table.hpp"

namespace saffire::arch {

/// E(kb) / E(8 KB) on Horowitz's curve; kb > 0 (ConfigError otherwise).
double sram_size_factor(double kb);

/// pJ of one 64-bit access of a `kb`-KB scratchpad priced with `tech` (at the table's voltage).
double sram_access_pj(const TechTable& tech, double kb);

/// pJ of one access of a `word_bytes`-byte word: a 64-bit access per 8 bytes (words are packed in the
/// 64-bit lines the arrays of Horowitz's figures are read in).
double sram_word_pj(const TechTable& tech, double kb, int word_bytes);

}  // namespace saffire::arch
