#include "arch/tech/dram_energy.hpp"

#include "arch/config_error.hpp"

namespace saffire::arch {

double micron_activate_pj(double vdd, double idd0, double idd3n, double idd2n, double tras_ns, double trp_ns) {
  return vdd * (idd0 * (tras_ns + trp_ns) - idd3n * tras_ns - idd2n * trp_ns);
}

double micron_burst_pj(double vdd, double idd4, double idd3n, double burst_ns) { return vdd * (idd4 - idd3n) * burst_ns; }

double micron_background_mw(double vdd, double idd3n, double idd5, double trfc_ns, double trefi_ns) {
  return vdd * idd3n + vdd * (idd5 - idd3n) * trfc_ns / trefi_ns;
}

namespace {

// Interface energy per bit of an unterminated (or POD-terminated) link: the supply charges the line's
// capacitance C once per 0 -> 1 transition (C * VDDQ^2), a quarter of the bits with random data; a POD
// termination also draws VDDQ / (R_on + R_tt) while a 0 is driven, half of the bits.
double io_pj_per_bit(double c_pf, double vddq, double ui_ns = 0, double r_on = 0, double r_tt = 0) {
  const double switching = 0.25 * c_pf * vddq * vddq;
  const double termination = r_on + r_tt > 0 ? 0.5 * vddq * (vddq / (r_on + r_tt)) * 1e3 * ui_ns : 0.0;  // mA * V * ns
  return switching + termination;
}

// DDR4-3200: one rank of eight 8 Gb x8 devices (the preset's DIMM channel). Micron 8 Gb x8 DDR4-3200
// currents as DRAMsim3 lists them (configs/DDR4_8Gb_x8_3200.ini): VDD 1.2 V, IDD0 57, IDD2N 37,
// IDD3N 52, IDD4R 168, IDD4W 150, IDD5AB 250 mA; tCK 0.625 ns, tRAS 52, tRP 22, tRFC 560, tREFI 12480
// cycles. A BL8 burst is 4 tCK and carries 64 bits per device. I/O: POD12, 34-ohm driver (RZQ/7)
// into a 48-ohm termination (RZQ/5), 2 pF per DQ, 0.3125 ns per bit (our estimate).
DramEnergy ddr4_3200() {
  const double tck = 0.625, devices = 8;
  const double io = io_pj_per_bit(2.0, 1.2, tck / 2, 34, 48);
  DramEnergy e;
  e.name = "DDR4-3200";
  e.read_pj_per_bit = micron_burst_pj(1.2, 168, 52, 4 * tck) / 64 + io;
  e.write_pj_per_bit = micron_burst_pj(1.2, 150, 52, 4 * tck) / 64 + io;
  e.activate_pj = devices * micron_activate_pj(1.2, 57, 52, 37, 52 * tck, 22 * tck);
  e.row_bytes = 8 * 1024;  // 1 KB page per x8 device
  e.background_mw = devices * micron_background_mw(1.2, 52, 250, 560 * tck, 12480 * tck);
  e.source = "Micron 8Gb x8 DDR4-3200 IDD (DRAMsim3 DDR4_8Gb_x8_3200.ini) via Micron TN-40-07; POD12 I/O estimate";
  return e;
}

// LPDDR5-6400: four x16 channels. No LPDDR5 datasheet currents are public; the figures are Micron's 6 Gb
// LPDDR4-3200 x16 channel (DRAMPower memspecs/MICRON_6Gb_LPDDR4-3200_32bit_A.json: VDD1 1.8 V: IDD0 3.5,
// IDD2N 2, IDD3N 2.25; VDD2 1.1 V: IDD0 45, IDD2N 27, IDD3N 30, IDD4R 275, IDD4W 210, IDD5 90 mA;
// VDDQ 1.1 V: IDD4RQ 150, IDD4WQ 55, IDD3NQ 0.75 mA; tCK 0.625 ns, tRAS 68, tRPab 34, tRFCab 448,
// tREFIab 6246 cycles; BL16 = 8 tCK, 256 bits), rescaled to LPDDR5's supplies (JESD209-5: VDD2H 1.05 V,
// VDDQ 0.5 V): VDD2 energies x (1.05/1.1)^2, VDDQ energies x (0.5/1.1)^2, VDD1 unchanged.
DramEnergy lpddr5_6400() {
  const double tck = 0.625, channels = 4, bits = 256, burst = 8 * tck;
  const double vdd2 = (1.05 / 1.1) * (1.05 / 1.1), vddq = (0.5 / 1.1) * (0.5 / 1.1);
  DramEnergy e;
  e.name = "LPDDR5-6400";
  e.read_pj_per_bit = (vdd2 * micron_burst_pj(1.1, 275, 30, burst) + vddq * micron_burst_pj(1.1, 150, 0.75, burst)) / bits;
  e.write_pj_per_bit = (vdd2 * micron_burst_pj(1.1, 210, 30, burst) + vddq * micron_burst_pj(1.1, 55, 0.75, burst)) / bits;
  e.activate_pj = vdd2 * micron_activate_pj(1.1, 45, 30, 27, 68 * tck, 34 * tck) +
                  micron_activate_pj(1.8, 3.5, 2.25, 2, 68 * tck, 34 * tck);
  e.row_bytes = 2 * 1024;  // 2 KB page of a x16 channel
  e.background_mw = channels * (vdd2 * micron_background_mw(1.1, 30, 90, 448 * tck, 6246 * tck) + 1.8 * 2.25 +
                                vddq * 1.1 * 0.75);
  e.source = "Micron 6Gb LPDDR4-3200 IDD (DRAMPower memspec) via Micron TN-40-07, rescaled to LPDDR5's 1.05 V / 0.5 V";
  return e;
}

// HBM2 legacy channel of 128 bits as DRAMsim3 lists it (configs/HBM2_8Gb_x128.ini): VDD 1.2 V, IDD0 65,
// IDD2N 40, IDD3N 55, IDD4R 390, IDD4W 500, IDD5AB 250 mA; tCK 1 ns, tRAS 34, tRP 14, tRFC 260,
// tREFI 3900; BL4 = 2 tCK, 512 bits; 1 KB row. I/O: unterminated micro-bump and interposer links,
// 1 pF per DQ (our estimate). `v_scale` rescales the core to another VDD, `vddq` sets the I/O swing.
DramEnergy hbm(const char* name, double v_scale, double vddq, const char* source) {
  const double dyn = v_scale * v_scale, stack_channels = 8;  // 8 x 128 bits = 1024 bits per stack
  const double io = io_pj_per_bit(1.0, vddq);
  DramEnergy e;
  e.name = name;
  e.read_pj_per_bit = dyn * micron_burst_pj(1.2, 390, 55, 2.0) / 512 + io;
  e.write_pj_per_bit = dyn * micron_burst_pj(1.2, 500, 55, 2.0) / 512 + io;
  e.activate_pj = dyn * micron_activate_pj(1.2, 65, 55, 40, 34, 14);
  e.row_bytes = 1024;
  // Standby currents stay, the voltage changes: power x v_scale.
  e.background_mw = stack_channels * v_scale * micron_background_mw(1.2, 55, 250, 260, 3900);
  e.source = source;
  return e;
}

}  // namespace

const std::vector<DramEnergy>& dram_energy_tables() {
  static const std::vector<DramEnergy> tables = {
      ddr4_3200(), lpddr5_6400(),
      hbm("HBM2E", 1.0, 1.2, "HBM2 8Gb x128 IDD (DRAMsim3 HBM2_8Gb_x128.ini) via Micron TN-40-07; 1 pF I/O at 1.2 V"),
      hbm("HBM3", 1.1 / 1.2, 0.4,
          "HBM2 IDD (DRAMsim3) rescaled to HBM3's VDD 1.1 V (JESD238) via Micron TN-40-07; 1 pF I/O at VDDQ 0.4 V")};
  return tables;
}

std::string dram_energy_names() {
  std::string names;
  for (const DramEnergy& e : dram_energy_tables()) names += (names.empty() ? "" : ", ") + e.name;
  return names;
}

const DramEnergy& dram_energy(std::string_view name, const std::string& where) {
  for (const DramEnergy& e : dram_energy_tables())
    if (e.name == name) return e;
  throw ConfigError(where + ": unknown DRAM standard '" + std::string(name) + "' for the energy figures (expected one of: " +
                    dram_energy_names() + ")");
}

}  // namespace saffire::arch
