#include "sim/cli/array_memory_report.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "sim/cli/memory_options.hpp"
#include "sim/energy_report.hpp"
#include "sim/memory_trace_record.hpp"
#include "models/engine/gemm_engine.hpp"

namespace saffire::cli {
namespace {

using Shape = std::array<std::int64_t, 3>;

// SRAM and DRAM energy of each shape the engine ran, priced as gemm and topology price a GEMM (energy_report).
std::map<Shape, sim::EnergySums> shape_energies(const sim::ArrayGemmEngine& engine, const memory::MemoryConfig& cfg,
                                                const arch::TechTable& tech) {
  const arch::ArrayConfig& array = engine.model().config();
  const sim::EnergyPricing pricing{arch::at_voltage(tech, array.v_nominal), array.v_nominal, cfg};
  std::map<Shape, sim::EnergySums> out;
  for (const auto& [shape, use] : engine.memory_uses())
    out[shape] = sim::gemm_energy_sums(array, pricing, {shape[0], shape[1], shape[2]}, {}, use.report);
  return out;
}

}  // namespace

ArrayMemoryTotals array_memory_totals(const sim::ArrayGemmEngine& engine, const memory::MemoryConfig& cfg,
                                      const arch::TechTable& tech) {
  ArrayMemoryTotals t;
  const auto energies = shape_energies(engine, cfg, tech);
  for (const auto& [shape, use] : engine.memory_uses()) {
    const memory::MemoryReport& r = use.report;
    const double n = static_cast<double>(use.gemms);
    t.gemms += use.gemms;
    t.compute_cycles += use.gemms * (r.compute_cycles + 1);
    t.stall_cycles += use.gemms * r.stall_cycles;
    t.total_cycles += use.gemms * (r.total_cycles + 1);
    t.sram_pj += n * energies.at(shape).sram;
    t.dram_pj += n * energies.at(shape).dram;
    if (r.has_dram) {
      memory::DramTraffic d = r.dram;  // the shape's counts times its GEMMs
      const auto times = static_cast<std::uint64_t>(use.gemms);
      d.bytes_read *= times, d.bytes_written *= times, d.requests *= times;
      d.row_hits *= times, d.row_misses *= times, d.row_conflicts *= times;
      t.dram.add_counts(d);
    }
  }
  if (t.dram.requests > 0)  // bytes per ns at clock_ghz cycles per ns, as topology's totals
    t.dram.achieved_gbps = static_cast<double>(t.dram.bytes_read + t.dram.bytes_written) *
                           engine.model().config().clock_ghz / static_cast<double>(std::max<std::int64_t>(t.total_cycles, 1));
  return t;
}

nlohmann::json array_memory_json(const ArrayMemoryTotals& t, const memory::MemoryConfig& cfg) {
  nlohmann::json j = {{"model", cfg.model},
                      {"gemms", t.gemms},
                      {"compute_cycles", t.compute_cycles},
                      {"stall_cycles", t.stall_cycles},
                      {"total_cycles", t.total_cycles},
                      {"sram_energy_pj", t.sram_pj},
                      {"dram_energy_pj", t.dram_pj}};
  if (!t.dram.preset.empty()) j["dram"] = dram_json(t.dram);
  return j;
}

std::vector<traces::MemoryRecord> array_memory_rows(const sim::ArrayGemmEngine& engine, const memory::MemoryConfig& cfg,
                                                    const arch::TechTable& tech) {
  const auto energies = shape_energies(engine, cfg, tech);
  std::vector<traces::MemoryRecord> rows;
  rows.reserve(engine.gemm_log().size());
  for (const auto& [id, shape] : engine.gemm_log()) {
    const auto use = engine.memory_uses().find(shape);
    if (use == engine.memory_uses().end()) continue;  // run without the memory model
    const sim::EnergySums& e = energies.at(shape);
    rows.push_back(sim::memory_trace_record(models::to_string(id), cfg.model, use->second.report, e.sram, e.dram));
  }
  return rows;
}

}  // namespace saffire::cli
