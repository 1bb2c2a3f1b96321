#pragma once
// Energy of the memory system behind the array for one GEMM: the three scratchpads (SRAM, priced by
// their size with sram_energy.hpp at the SRAM's own supply) and the DRAM (dram_energy.hpp: per bit read
// and written, per row activation, background power over the GEMM's time). The traffic comes from the
// memory model (sim/memory: MemoryReport, converted by sim/memory/memory_traffic.hpp); arch only prices it.
//
//   SRAM  = sum over operands of (sram_reads + sram_writes) * sram_word_pj(tech_at_v_sram, kb, word_bytes)
//   DRAM  = read_bits * read_pj_per_bit + written_bits * write_pj_per_bit + activations * activate_pj
//           + background_mw * seconds
// Activations, when the model does not count them (ideal, scalesim): each operand's DRAM reads and its
// writes stream through whole rows, ceil(bytes / row_bytes) each (one ACT per row: the best case).
#include <cstdint>
#include <functional>
#include <optional>

#include "arch/tech/dram_energy.hpp"
#include "arch/tech/tech_table.hpp"

namespace saffire::arch {

/// One operand's words (X = ifmap, W = filter, Y = ofmap) and its scratchpad.
struct OperandTraffic {
  std::int64_t sram_reads = 0;   // words the array reads from the scratchpad
  std::int64_t sram_writes = 0;  // words written into it (fills from DRAM, outputs from the array)
  std::int64_t dram_reads = 0;   // words read from DRAM
  std::int64_t dram_writes = 0;  // words written to DRAM
  int word_bytes = 1;            // bytes per word
  double sram_kb = 64;           // scratchpad size, KB
};

struct MemoryTraffic {
  OperandTraffic ifmap, filter, ofmap;
  double seconds = 0;                             // the GEMM's time (stalls included): DRAM background
  std::optional<std::int64_t> dram_activations;   // counted by the model (dram); else estimated (see above)
};

/// pJ; none of it depends on the array's voltage.
struct MemoryEnergy {
  double sram = 0;
  double dram_read = 0, dram_write = 0, dram_activate = 0, dram_background = 0;
  std::int64_t dram_activations = 0;
  double dram() const { return dram_read + dram_write + dram_activate + dram_background; }
  double total() const { return sram + dram(); }
};

/// How an engine that prices GEMMs one by one (abft::AbftEngine) gets each GEMM's memory energy: the
/// memory model's traffic of a shape (built in sim/, which owns the memory models), the DRAM standard
/// and the SRAM's supply (V, 0 = the nominal).
struct MemoryPricing {
  std::function<MemoryTraffic(std::int64_t m, std::int64_t n, std::int64_t k)> traffic;
  DramEnergy dram;
  double v_memory = 0;
};

/// `sram_tech`: the tech table converted to the SRAM's supply (at_voltage(table, v_sram)). Throws
/// ConfigError on negative counts or a non-positive size.
MemoryEnergy memory_energy(const TechTable& sram_tech, const DramEnergy& dram, const MemoryTraffic& traffic);

}  // namespace saffire::arch
