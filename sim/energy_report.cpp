#include "sim/energy_report.hpp"

#include <fmt/core.h>

#include "arch/tech/dram_energy.hpp"
#include "sim/memory/memory_traffic.hpp"

namespace saffire::sim {

void EnergySums::add(const EnergySums& o) {
  compute += o.compute, sram += o.sram, dram += o.dram;
  dram_read += o.dram_read, dram_write += o.dram_write, dram_activate += o.dram_activate;
  dram_background += o.dram_background;
  nominal_compute += o.nominal_compute, nominal_total += o.nominal_total;
}

EnergySums gemm_energy_sums(const arch::ArrayConfig& cfg, const EnergyPricing& p, const arch::GemmShape& shape,
                            const arch::DetectionHardware& detection, const memory::MemoryReport& report) {
  arch::GemmEnergyInput in;
  in.shape = shape;
  in.detection = detection;
  in.v = p.v;
  in.v_nominal = p.tech.v_nominal;
  in.v_memory = p.memory.sram_supply(cfg.v_nominal);
  in.memory = memory::memory_traffic(p.memory, report, cfg);
  in.dram = arch::dram_energy(p.memory.dram_energy_standard(), p.memory.where("dram_energy"));
  const arch::EnergyBreakdown e = arch::gemm_energy(cfg, p.tech, in);
  arch::GemmEnergyInput ref = in;
  ref.detection = {};
  ref.v = p.tech.v_nominal;
  const arch::EnergyBreakdown nom = arch::gemm_energy(cfg, p.tech, ref);
  EnergySums s;
  s.compute = e.compute();
  s.sram = e.sram + e.recovery_sram;
  s.dram = e.dram;
  s.dram_read = e.memory.dram_read, s.dram_write = e.memory.dram_write;
  s.dram_activate = e.memory.dram_activate, s.dram_background = e.memory.dram_background;
  s.nominal_compute = nom.compute();
  s.nominal_total = nom.total();
  return s;
}

nlohmann::json energy_json(const EnergySums& e) {
  return {{"compute_pj", e.compute},
          {"sram_pj", e.sram},
          {"dram_pj", e.dram},
          {"total_pj", e.total()},
          {"nominal_total_pj", e.nominal_total},
          {"energy_saving", e.saving()},
          {"compute_saving", e.compute_saving()},
          {"dram",
           {{"read_pj", e.dram_read},
            {"write_pj", e.dram_write},
            {"activate_pj", e.dram_activate},
            {"background_pj", e.dram_background}}}};
}

std::string energy_line(const EnergySums& e, const std::string& dram_standard) {
  return fmt::format("compute {:.4g} uJ, SRAM {:.4g} uJ, DRAM {:.4g} uJ ({}), total {:.4g} uJ; saving {:.2f} % "
                     "against nominal (the array alone {:.2f} %)",
                     e.compute / 1e6, e.sram / 1e6, e.dram / 1e6, dram_standard, e.total() / 1e6, 100.0 * e.saving(),
                     100.0 * e.compute_saving());
}

}  // namespace saffire::sim
