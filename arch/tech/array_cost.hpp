#pragma once
// Area, power and energy of an R x C systolic array and of the extra hardware of an error-detection
// scheme, from bills of materials priced with a TechTable. arch knows no scheme: each detection
// policy (abft/detect/) declares its hardware as a DetectionHardware (cost items, extra cycles per fold,
// supply domain) and this file prices it. The activity assumptions and the SRAM-traffic estimate are
// documented in arch/tech/README.md and in array_cost.cpp next to the counts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/array_config.hpp"
#include "arch/gemm_shape.hpp"
#include "arch/tech/memory_energy.hpp"
#include "arch/tech/tech_table.hpp"

namespace saffire::arch {

/// The representative fold the average power refers to.
struct Workload {
  std::int64_t stream = 2048;     // streamed length of a fold: WS the M rows of X, OS the reduction K
  double pe_data_activity = 1.0;  // what-if: scales the switching of the baseline PE multipliers and
                                  // adders (1 = Horowitz's typical data; LLM INT8 operands toggle less)
  bool operator==(const Workload&) const = default;
};
/// The representative fold of one GEMM: its own stream (WS: M, OS: K), the fold gemm_energy prices.
Workload gemm_workload(const ArrayConfig& cfg, const GemmShape& shape, double pe_data_activity = 1.0);

/// Cycle figures of one full fold of `stream` (FoldPlan::cycles_per_fold of a GEMM that fills the array).
struct FoldActivity {
  std::int64_t stream = 0;
  std::int64_t cycles_per_fold = 0;  // P: WS 2R + C + S - 2, OS R + C + S - 2 (+R with os_drain)
  double utilization = 0;            // S / P: fraction of the fold's cycles in which a PE computes
};
FoldActivity fold_activity(const ArrayConfig& cfg, std::int64_t stream);

/// One line of a bill of materials: `count` instances of `component`, each `scale` times the table
/// entry (an 8x16 multiplier is 2 INT8 multipliers), each doing `ops_per_cycle` operations per cycle
/// averaged over a fold (registers: 1, they are clocked every cycle).
struct CostItem {
  std::string block;  // "PE array", "checksum column", ...
  std::string what;   // "INT8 multiplier", ...
  Component component = Component::Mult8;
  double count = 0;
  double scale = 1;
  double ops_per_cycle = 0;
  // Filled by price():
  double area_um2 = 0;
  double dynamic_pj_per_cycle = 0;  // at the table's v_nominal
};

/// A priced bill of materials. Power: dynamic energy per cycle x clock, plus leakage of the area.
struct Cost {
  std::vector<CostItem> items;
  double area_um2 = 0;
  double dynamic_pj_per_cycle = 0;         // at v_nominal
  double dynamic_mw = 0;                   // dynamic_pj_per_cycle * clock_ghz (pJ * GHz = mW)
  double leakage_mw = 0;                   // area_um2 * leakage_nw_per_um2 * 1e-6
  std::int64_t extra_cycles_per_fold = 0;  // cycles the scheme adds to every fold (detection_cost)
  double power_mw() const { return dynamic_mw + leakage_mw; }
};

/// Prices `items` with `tech` at `clock_ghz`.
Cost price(std::vector<CostItem> items, const TechTable& tech, double clock_ghz);

/// A bill of materials being written: the baseline array here, each scheme's hardware in abft/detect/.
struct BillOfMaterials {
  std::vector<CostItem> items;
  /// `count` units of `c` (each `scale` table entries) doing `ops_per_cycle` operations per cycle.
  void add(const std::string& block, const std::string& what, Component c, double count, double ops_per_cycle,
           double scale = 1);
  /// `units` units of `bits` register bits each, clocked every cycle.
  void regs(const std::string& block, const std::string& what, double units, double bits);
};

/// Adds R*C PEs under `block`: each an INT8 multiplier and an INT32 adder computing `utilization` of the
/// cycles (times `data_activity`), and 48 register bits (WS: stationary weight, moving activation and
/// partial sum; OS: moving weight and activation, stationary accumulator). The baseline array, and
/// DMR's duplicate.
void add_pe_array(BillOfMaterials& b, const std::string& block, const ArrayConfig& cfg, double utilization,
                  double data_activity);

/// Bill of materials of the baseline array (add_pe_array of "PE array" at the fold's utilization).
std::vector<CostItem> baseline_items(const ArrayConfig& cfg, const Workload& load);
Cost baseline_cost(const ArrayConfig& cfg, const TechTable& tech, const Workload& load = {});

/// The extra hardware of an error-detection scheme, as the scheme declares it
/// (abft::DetectionPolicy::hardware): arch prices it and counts its cycles and energy.
struct DetectionHardware {
  std::vector<CostItem> items;             // unpriced; ops_per_cycle averaged over a fold of `load`
  Workload load;                           // the representative fold the items were counted for
  std::int64_t extra_cycles_per_fold = 0;  // cycles the scheme adds to every fold
  bool at_array_voltage = false;           // part of the underscaled array whatever detection_at_nominal
                                           // says (a DMR copy, Razor flip-flops); else checksum-style units
};
/// Prices `hw.items` at the array's clock; the Cost carries hw.extra_cycles_per_fold.
Cost detection_cost(const DetectionHardware& hw, const ArrayConfig& cfg, const TechTable& tech);

// ---------------------------------------------------------------------------------------------------
// Energy per GEMM
// ---------------------------------------------------------------------------------------------------

/// SRAM traffic of a GEMM, the sum over the folds of the FoldPlan in closed form (bytes; ConfigError
/// when a total does not fit in int64):
///   WS fold (k-tile x n-tile, stream M): weights rows_used*cols_used (each weight read once),
///      activations M*rows_used (X is re-read once per n-tile), partial sums M*cols_used*4 written,
///      and read back (M*cols_used*4) for every k-tile but the first.
///   OS fold (m-tile x n-tile, stream K): activations rows_used*K, weights K*cols_used (both re-read
///      per fold), outputs rows_used*cols_used*4 written once.
struct SramTraffic {
  std::int64_t weight_bytes_read = 0;
  std::int64_t activation_bytes_read = 0;
  std::int64_t psum_bytes_read = 0;
  std::int64_t output_bytes_written = 0;
  std::int64_t bytes_read() const { return weight_bytes_read + activation_bytes_read + psum_bytes_read; }
  std::int64_t bytes_written() const { return output_bytes_written; }
};
SramTraffic sram_traffic(const ArrayConfig& cfg, const GemmShape& shape);

struct GemmEnergyInput {
  GemmShape shape;
  // The scheme's hardware, counted for gemm_workload(cfg, shape, pe_data_activity) (empty: none).
  DetectionHardware detection;
  double v = 0.9;                     // V: the array's supply (only v / v_nominal matters)
  double v_nominal = 0.9;             // V: the supply the tech table's energies refer to
  bool detection_at_nominal = true;   // checksum units in their own nominal-voltage domain (issue 5);
                                      // hardware with detection.at_array_voltage always runs at v
  std::int64_t recomputed_folds = 0;  // recovery: folds recomputed (each costs a whole fold again)
  double recovery_v = 0;              // V of the recomputation; 0 = same as v
  double pe_data_activity = 1.0;      // see Workload
  // The memory system, in its own supply domains: the SRAM at v_memory (0 = v_nominal), never at the
  // array's v; the DRAM at its standard's supplies. Without `memory` the SRAM is the sram_traffic
  // estimate (one 64-bit access of an 8 KB bank per 8 bytes) and there is no DRAM part.
  double v_memory = 0;
  std::optional<MemoryTraffic> memory;  // the memory model's words, scratchpad sizes and time
  std::optional<DramEnergy> dram;       // required with `memory`
};

/// Energies of one GEMM, pJ. The array's dynamic energies scale with (V/Vnom)^2, its leakage with
/// V/Vnom; the SRAM with (v_memory/Vnom)^2 whatever V; the DRAM not at all.
struct EnergyBreakdown {
  double mac = 0;              // multipliers and adders of the PE array, per real MAC
  double array_registers = 0;  // PE pipeline registers, R*C*bits clocked every cycle
  double sram = 0;             // scratchpad accesses (memory_energy, or the sram_traffic estimate)
  double leakage = 0;          // leakage of the baseline array over the GEMM's time
  double detection = 0;        // the scheme's extra hardware, dynamic + leakage, every fold
  double recovery = 0;         // recomputed folds: all of the above again (the array at recovery_v)
  double recovery_sram = 0;    // the part of `recovery` that is SRAM reads and writes (at v_memory)
  double dram = 0;             // memory.dram(): the operands' DRAM traffic and background (with `memory`)
  MemoryEnergy memory;         // the memory system's parts (with `memory`; else only .sram)
  double total() const { return mac + array_registers + sram + leakage + detection + recovery + dram; }
  /// The array's domain: PEs, registers, leakage, detection and the array part of recovery.
  double compute() const { return mac + array_registers + leakage + detection + recovery - recovery_sram; }
  /// The memory's domains: SRAM (recomputations' reads included) and DRAM.
  double memory_total() const { return sram + recovery_sram + dram; }

  std::int64_t macs = 0, folds = 0, cycles = 0;  // cycles = folds * (cycles_per_fold + extra)
  std::int64_t recomputed_macs = 0, recomputed_cycles = 0;
  double seconds = 0;  // cycles / clock, without recovery
  SramTraffic traffic;
};

/// Throws ConfigError on a bad shape, voltage or fold count, std::invalid_argument when detection has
/// items counted for another workload than the GEMM's.
EnergyBreakdown gemm_energy(const ArrayConfig& cfg, const TechTable& tech, const GemmEnergyInput& in);

}  // namespace saffire::arch
