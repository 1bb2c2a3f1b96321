#include "arch/tech/memory_energy.hpp"

#include <cmath>
#include <string>

#include "arch/checked_size.hpp"
#include "arch/config_error.hpp"
#include "arch/tech/sram_energy.hpp"

namespace saffire::arch {

MemoryEnergy memory_energy(const TechTable& sram_tech, const DramEnergy& dram, const MemoryTraffic& t) {
  if (!(t.seconds >= 0) || !std::isfinite(t.seconds)) throw ConfigError("memory energy: the GEMM's time must be >= 0");
  MemoryEnergy e;
  std::int64_t estimated_activations = 0;
  for (const OperandTraffic* op : {&t.ifmap, &t.filter, &t.ofmap}) {
    if (op->sram_reads < 0 || op->sram_writes < 0 || op->dram_reads < 0 || op->dram_writes < 0)
      throw ConfigError("memory energy: word counts must be >= 0");
    const double sram_words = static_cast<double>(op->sram_reads) + static_cast<double>(op->sram_writes);
    e.sram += sram_words * sram_word_pj(sram_tech, op->sram_kb, op->word_bytes);
    const double bits_per_word = 8.0 * op->word_bytes;
    e.dram_read += static_cast<double>(op->dram_reads) * bits_per_word * dram.read_pj_per_bit;
    e.dram_write += static_cast<double>(op->dram_writes) * bits_per_word * dram.write_pj_per_bit;
    const char* what = "DRAM bytes of an operand";
    for (std::int64_t words : {op->dram_reads, op->dram_writes})
      estimated_activations = checked_add(
          estimated_activations, ceil_div(checked_mul(words, static_cast<std::int64_t>(op->word_bytes), what), dram.row_bytes),
          "DRAM row activations");
  }
  e.dram_activations = t.dram_activations ? *t.dram_activations : estimated_activations;
  if (e.dram_activations < 0) throw ConfigError("memory energy: row activations must be >= 0");
  e.dram_activate = static_cast<double>(e.dram_activations) * dram.activate_pj;
  e.dram_background = dram.background_mw * t.seconds * 1e9;  // mW * ns = pJ
  return e;
}

}  // namespace saffire::arch
