#pragma once
// A GEMM list (a SCALE-Sim topology or a model preset's GEMMs) run on the array: compute cycles per GEMM
// (simulated at fold or PE level, or by the closed form), the memory system's stalls and traffic, and the
// energy at the run's supply. The study behind `saffire topology`; the CLI only parses and prints.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "abft/detect/detection_policy.hpp"
#include "arch/array_config.hpp"
#include "arch/fold_plan.hpp"
#include "arch/tech/tech_table.hpp"
#include "models/workload/topology_csv.hpp"
#include "sim/array_model.hpp"
#include "sim/energy_report.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::sim {

struct TopologyRunConfig {
  arch::ArrayConfig array;
  bool analytic = false;             // cycles by the closed form, no operands
  Fidelity fidelity = Fidelity::Fold;  // when not analytic
  int threads = 0;
  std::uint64_t seed = 1;  // GEMM i's operands use seed + i
  std::shared_ptr<const memory::MemoryModel> memory;
  memory::MemoryConfig memory_config;  // word and scratchpad sizes, the SRAM's supply, the DRAM standard
  // Energy: the tech table at the run's nominal supply, the detection hardware, the array's supply.
  arch::TechTable tech;
  std::shared_ptr<const abft::DetectionPolicy> detection;
  double v = 0;
};

/// One GEMM's outcome.
struct TopologyGemm {
  arch::CycleReport compute;
  memory::MemoryReport memory;
  double energy_pj = 0;  // energy.total()
  EnergySums energy;     // compute, SRAM, DRAM, and the nominal reference
  double host_seconds = 0;  // simulation time on the host (0 for analytic)
};

/// Totals over the list; per-layer totals when the GEMMs carry a model layer.
struct TopologyTotals {
  std::int64_t cycles = 0;  // sum over GEMMs of memory total_cycles + 1 (each GEMM's cycle count)
  std::int64_t macs = 0;
  std::int64_t stall_cycles = 0;
  double energy_pj = 0;
  EnergySums energy;
  memory::DramTraffic dram;  // the dram model's traffic summed over GEMMs; achieved_gbps over all their cycles
  std::vector<std::int64_t> layer_cycles, layer_macs;
};

/// Runs `layers` in order, calling `on_gemm(i, result)` after each (reports and traces are written as
/// GEMMs complete). `layer_of[i]` is GEMM i's model layer, or empty for a CSV. Memory and energy are
/// computed once per distinct shape (model presets repeat a few shapes many times). Throws ConfigError
/// naming the GEMM when a size overflows, a buffer exceeds --max-memory or the memory cannot serve it.
TopologyTotals run_topology(const TopologyRunConfig& run, const std::vector<models::TopologyLayer>& layers,
                            const std::vector<int>& layer_of,
                            const std::function<void(std::size_t, const TopologyGemm&)>& on_gemm);

}  // namespace saffire::sim
