#pragma once
// DramSpec: one DRAM system (organisation, clock and JEDEC timings in clock cycles), the input of the
// DRAM timing model. Built from a preset (dram_presets.hpp) or a user TOML file with a [dram] table
// (parse_dram_spec); validate() rejects inconsistent values, naming the key:
//   "dram.timing.trc: 60 is less than tras + trp = 74 (a bank's row cycle holds its active and precharge times)"
#include <cstdint>
#include <filesystem>
#include <string>

namespace saffire::memory::dram {

/// How a byte address is split into channel, rank, bank group, bank, row and column (address_mapping.hpp).
enum class AddressMapping {
  RoCoRaBaCh,  // bank-interleaved (default): channel, then bank group, bank, rank, column, row (low to high bits)
  RoBaRaCoCh,  // row-contiguous: channel, then column, rank, bank group, bank, row (a row's bursts are adjacent)
};

/// How the rank is refreshed: all banks at once every tREFI for tRFC (DDR4), or one bank at a time every
/// tREFI / banks for tRFCpb while the others keep working (LPDDR5, HBM).
enum class RefreshMode { AllBank, PerBank };

/// JEDEC timings, all in clock cycles of the DRAM command clock (tCK = 1 / clock_mhz).
struct DramTiming {
  int tcl = 0;     // read latency: RD command to first data beat (CL / RL)
  int tcwl = 0;    // write latency: WR command to first data beat (CWL / WL)
  int trcd = 0;    // ACT to RD/WR, same bank
  int trp = 0;     // PRE to ACT, same bank
  int tras = 0;    // ACT to PRE, same bank
  int trc = 0;     // ACT to ACT, same bank
  int tccd_s = 0;  // RD to RD (WR to WR), other bank group
  int tccd_l = 0;  // RD to RD (WR to WR), same bank group
  int trrd_s = 0;  // ACT to ACT, other bank group of the rank
  int trrd_l = 0;  // ACT to ACT, same bank group
  int tfaw = 0;    // window holding at most four ACTs of a rank
  int twr = 0;     // end of write data to PRE, same bank (write recovery)
  int twtr_s = 0;  // end of write data to RD, other bank group of the rank
  int twtr_l = 0;  // end of write data to RD, same bank group
  int trtp = 0;    // RD to PRE, same bank
  int trfc = 0;    // all-bank refresh: REF to the next ACT of the rank
  int trfcpb = 0;  // per-bank refresh: REFpb to the next ACT of that bank (per_bank mode only)
  int trefi = 0;   // average refresh interval (all-bank); per_bank mode refreshes one bank every trefi / banks
  int trtrs = 0;   // data-bus gap when consecutive bursts come from different ranks (controller choice)
};

/// Banks per channel (ranks x bank groups x banks per group) the FR-FCFS scheduler can hold: it names a
/// bank in 8 bits of its packed priority keys (channel_controller.cpp).
inline constexpr int kMaxBanksPerChannel = 256;

struct DramSpec {
  std::string name;            // "DDR4-3200"
  std::string origin;          // the file it was read from (for messages)
  int channels = 1;            // independent channels (HBM: pseudo-channels), each with its own controller
  int ranks = 1;               // ranks per channel
  int bank_groups = 1;         // bank groups per rank
  int banks_per_group = 1;     // banks per bank group
  std::int64_t rows = 1;       // rows per bank
  int columns = 1;             // columns per row, each one bus_width_bits wide (row = columns * bus bytes)
  int bus_width_bits = 64;     // data bus of one channel
  int burst_length = 8;        // data beats (transfers) per access
  int clock_mhz = 1600;        // command clock
  int data_rate_mts = 3200;    // transfers per second per pin, in millions
  RefreshMode refresh = RefreshMode::AllBank;
  AddressMapping mapping = AddressMapping::RoCoRaBaCh;
  int queue_depth = 32;        // FR-FCFS request queue entries per channel
  DramTiming timing;

  /// Throws ConfigError "dram.<key>: ..." (or "dram.timing.<key>: ...") on the first inconsistency.
  void validate() const;

  int transfers_per_clock() const { return data_rate_mts / clock_mhz; }
  int burst_cycles() const { return burst_length / transfers_per_clock(); }  // data-bus cycles of one access
  int burst_bytes() const { return bus_width_bits / 8 * burst_length; }      // bytes of one access
  int banks_per_rank() const { return bank_groups * banks_per_group; }
  int bursts_per_row() const { return columns / burst_length; }
  std::uint64_t capacity_bytes() const;
  /// Peak data bandwidth of all channels, bytes per clock cycle and GB/s (1e9 bytes per second).
  double peak_bytes_per_cycle() const { return static_cast<double>(channels) * burst_bytes() / burst_cycles(); }
  double peak_gbps() const { return peak_bytes_per_cycle() * clock_mhz * 1e6 / 1e9; }
  double clock_ns() const { return 1e3 / clock_mhz; }
};

/// Reads the [dram] table of a TOML document (preset or user file; `origin` names it in errors). Every
/// key is required except queue_depth (32), address_mapping ("RoCoRaBaCh"), refresh ("all_bank"), trfcpb
/// (required only for per_bank) and trtrs (1); unknown keys are errors. Errors name origin, line and key.
DramSpec parse_dram_spec(const std::string& toml_text, const std::string& origin);
/// Same, from a file.
DramSpec load_dram_spec(const std::filesystem::path& path);

const char* to_string(AddressMapping m);
const char* to_string(RefreshMode m);

}  // namespace saffire::memory::dram
