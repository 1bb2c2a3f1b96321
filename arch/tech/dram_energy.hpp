#pragma once
// DramEnergy: what moving data through one DRAM standard costs, per the presets of the DRAM timing
// model (sim/memory/dram/presets: DDR4-3200, LPDDR5-6400, HBM2E, HBM3; same names). Derived in
// dram_energy.cpp from datasheet currents with Micron's power-calculation method (TN-40-07, "Calculating
// Memory Power for DDR4 SDRAM"), plus the interface (I/O) energy per bit; every figure and its source is
// in arch/tech/README.md. The DRAM has its own supplies: nothing here scales with the array's voltage.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace saffire::arch {

struct DramEnergy {
  std::string name;              // the preset's name ("HBM2E")
  double read_pj_per_bit = 0;    // a RD burst: core (IDD4R - IDD3N) and I/O, per data bit
  double write_pj_per_bit = 0;   // a WR burst: core (IDD4W - IDD3N) and I/O, per data bit
  double activate_pj = 0;        // one ACT with its PRE (IDD0 over tRC beyond the standby currents)
  std::int64_t row_bytes = 0;    // bytes one ACT opens (the page across the channel's devices)
  double background_mw = 0;      // all channels of the preset: active standby (IDD3N) + refresh averaged over tREFI
  std::string source;            // one line: where the figures come from
};

/// The four tables, in preset order.
const std::vector<DramEnergy>& dram_energy_tables();
/// "DDR4-3200, LPDDR5-6400, HBM2E, HBM3".
std::string dram_energy_names();
/// The table of `name`; an unknown name throws ConfigError "<where>: unknown DRAM standard ... (expected one of: ...)".
const DramEnergy& dram_energy(std::string_view name, const std::string& where);

// Micron TN-40-07's closed forms for one device (currents in mA, times in ns, supply in V: mA * V * ns = pJ).
/// ACT + PRE: VDD * (IDD0 * tRC - IDD3N * tRAS - IDD2N * tRP), tRC = tRAS + tRP.
double micron_activate_pj(double vdd, double idd0, double idd3n, double idd2n, double tras_ns, double trp_ns);
/// A burst above active standby: VDD * (IDD4 - IDD3N) * t_burst.
double micron_burst_pj(double vdd, double idd4, double idd3n, double burst_ns);
/// Background: VDD * IDD3N plus refresh VDD * (IDD5 - IDD3N) * tRFC / tREFI, mW.
double micron_background_mw(double vdd, double idd3n, double idd5, double trfc_ns, double trefi_ns);

}  // namespace saffire::arch
