#pragma once
// The energy figures of gemm and topology (sim/topology_run): per GEMM and summed, the array's part (compute: PEs,
// registers, leakage, detection hardware), the SRAM's and the DRAM's, the total, and the saving against
// the same GEMMs at the nominal supply without detection hardware. The array runs at --voltage, the SRAM
// at [memory] sram_voltage (default the nominal), the DRAM at its standard's supplies: underscaling the
// array saves only the array's part.
#include <nlohmann/json.hpp>
#include <string>

#include "arch/array_config.hpp"
#include "arch/tech/array_cost.hpp"
#include "arch/tech/tech_table.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::sim {

struct EnergySums {
  double compute = 0, sram = 0, dram = 0;
  double dram_read = 0, dram_write = 0, dram_activate = 0, dram_background = 0;
  double nominal_compute = 0, nominal_total = 0;  // the same GEMMs at v_nominal, no detection hardware
  double total() const { return compute + sram + dram; }
  /// 1 - total / nominal total: what underscaling saves over the whole (memory included).
  double saving() const { return nominal_total > 0 ? 1.0 - total() / nominal_total : 0.0; }
  /// 1 - compute / nominal compute: the array's own saving.
  double compute_saving() const { return nominal_compute > 0 ? 1.0 - compute / nominal_compute : 0.0; }
  void add(const EnergySums& o);
};

/// The prices of a run: tech at the nominal supply, the array's supply, the memory's domains.
struct EnergyPricing {
  arch::TechTable tech;  // converted to the array's nominal supply (at_voltage(table, v_nominal))
  double v = 0;          // the array's supply
  memory::MemoryConfig memory;
};

/// One GEMM: `detection` is the scheme's hardware for this GEMM (empty: none).
EnergySums gemm_energy_sums(const arch::ArrayConfig& cfg, const EnergyPricing& p, const arch::GemmShape& shape,
                            const arch::DetectionHardware& detection, const memory::MemoryReport& report);

/// {"compute_pj", "sram_pj", "dram_pj", "total_pj", "nominal_total_pj", "energy_saving", "compute_saving",
///  "dram": {"read_pj", "write_pj", "activate_pj", "background_pj"}}.
nlohmann::json energy_json(const EnergySums& e);

/// "compute X uJ, SRAM Y uJ, DRAM Z uJ (HBM2E), total T uJ; saving S % against nominal (array alone A %)".
std::string energy_line(const EnergySums& e, const std::string& dram_standard);

}  // namespace saffire::sim
