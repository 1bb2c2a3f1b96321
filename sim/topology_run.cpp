#include "sim/topology_run.hpp"

#include <fmt/core.h>

#include <map>
#include <tuple>

#include "arch/checked_size.hpp"
#include "arch/config_error.hpp"
#include "arch/memory_budget.hpp"
#include "arch/tech/array_cost.hpp"
#include "models/workload/gemm_operands.hpp"

namespace saffire::sim {
namespace {

using ShapeKey = std::tuple<std::int64_t, std::int64_t, std::int64_t>;

ShapeKey key_of(const arch::GemmShape& s) { return {s.m, s.n, s.k}; }

// Compute cycles of GEMM `index`: the closed form, or the array simulated on random operands.
// The SystemC array's folds wait for their operands as `mem` (this GEMM's memory report) says.
void run_compute(const TopologyRunConfig& run, ArrayModel& model, const arch::GemmShape& s, std::size_t index,
                 const memory::MemoryReport& mem, TopologyGemm& out) {
  if (run.analytic) {
    out.compute = arch::analytical_cycles(run.array, s);
    return;
  }
  arch::check_memory(models::gemm_buffer_bytes(s, /*with_reference=*/false), "the operands and outputs");
  const auto ops = models::random_gemm_operands(s, run.seed + index);
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  const auto stats = model.run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false}, {}, mem);
  out.compute = stats.report;
  out.host_seconds = stats.host_seconds;
}

EnergySums gemm_energy(const TopologyRunConfig& run, const arch::GemmShape& s, const memory::MemoryReport& mem) {
  return gemm_energy_sums(run.array, EnergyPricing{run.tech, run.v, run.memory_config}, s,
                          run.detection->gemm_hardware(run.array, s), mem);
}

}  // namespace

TopologyTotals run_topology(const TopologyRunConfig& run, const std::vector<models::TopologyLayer>& layers,
                            const std::vector<int>& layer_of,
                            const std::function<void(std::size_t, const TopologyGemm&)>& on_gemm) {
  // Deterministic per shape and independent of earlier GEMMs, so computed once per distinct shape.
  std::map<ShapeKey, memory::MemoryReport> memory_of;
  std::map<ShapeKey, EnergySums> energy_of;
  ArrayModel model(run.array, run.fidelity, run.threads);
  TopologyTotals totals;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& layer = layers[i];
    TopologyGemm g;
    try {
      auto [mit, mem_fresh] = memory_of.try_emplace(key_of(layer.shape));
      if (mem_fresh) mit->second = run.memory->simulate(run.array, layer.shape);
      g.memory = mit->second;
      run_compute(run, model, layer.shape, i, g.memory, g);
      auto [eit, energy_fresh] = energy_of.try_emplace(key_of(layer.shape));
      if (energy_fresh) eit->second = gemm_energy(run, layer.shape, g.memory);
      g.energy = eit->second;
      g.energy_pj = g.energy.total();

      const std::int64_t gemm_cycles = arch::checked_add(g.memory.total_cycles, 1, "cycles of the GEMM");
      totals.stall_cycles = arch::checked_add(totals.stall_cycles, g.memory.stall_cycles, "total stall cycles");
      totals.cycles = arch::checked_add(totals.cycles, gemm_cycles, "total cycles");
      totals.macs = arch::checked_add(totals.macs, g.compute.macs, "total MACs");
      totals.energy_pj += g.energy_pj;
      totals.energy.add(g.energy);
      if (g.memory.has_dram) totals.dram.add_counts(g.memory.dram);
      if (!layer_of.empty()) {
        const auto l = static_cast<std::size_t>(layer_of[i]);
        if (totals.layer_cycles.size() <= l) totals.layer_cycles.resize(l + 1, 0), totals.layer_macs.resize(l + 1, 0);
        totals.layer_cycles[l] = arch::checked_add(totals.layer_cycles[l], gemm_cycles, "cycles of the layer");
        totals.layer_macs[l] = arch::checked_add(totals.layer_macs[l], g.compute.macs, "MACs of the layer");
      }
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("topology: GEMM '{}' ({} x {} x {}): {}", layer.name, layer.shape.m,
                                    layer.shape.n, layer.shape.k, e.what()));
    }
    on_gemm(i, g);
  }
  if (totals.dram.requests > 0)  // bytes per ns at clock_ghz cycles per ns
    totals.dram.achieved_gbps = static_cast<double>(totals.dram.bytes_read + totals.dram.bytes_written) *
                                run.array.clock_ghz / static_cast<double>(std::max<std::int64_t>(totals.cycles, 1));
  return totals;
}

}  // namespace saffire::sim
