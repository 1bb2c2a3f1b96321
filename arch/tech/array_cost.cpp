#include "arch/tech/array_cost.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "arch/checked_size.hpp"
#include "arch/config_error.hpp"
#include "arch/fold_plan.hpp"

namespace saffire::arch {

FoldActivity fold_activity(const ArrayConfig& cfg, std::int64_t stream) {
  if (stream < 1) throw ConfigError("workload stream length must be at least 1, got " + std::to_string(stream));
  // A GEMM that fills the array exactly: one fold with every PE used.
  GemmShape shape;
  if (cfg.dataflow == Dataflow::WS) {
    shape = {stream, cfg.cols, cfg.rows};  // m = S, n = C, k = R
  } else {
    shape = {cfg.rows, cfg.cols, stream};  // m = R, n = C, k = S
  }
  FoldActivity a;
  a.stream = stream;
  a.cycles_per_fold = FoldPlan(cfg, shape).cycles_per_fold();
  a.utilization = static_cast<double>(stream) / static_cast<double>(a.cycles_per_fold);
  return a;
}

// ---------------------------------------------------------------------------------------------------
// Bills of materials
// ---------------------------------------------------------------------------------------------------
// Geometry (arch/fold_plan.hpp): WS rows <-> K, cols <-> N: X[m][k] enters row k from the left, the
// weights are stationary, partial sums flow down and Y[m][n] leaves the bottom of column n, one output
// row m per cycle (skewed). OS rows <-> M, cols <-> N: X[m][k] enters row m from the left, W[k][n]
// enters column n from the top, each PE keeps Y[m][n]; at the end of a fold the outputs drain to the
// right edge, one column per cycle.
//
// Activity assumptions (ops_per_cycle, averaged over a fold of P cycles that streams S values), for
// the baseline here and for the scheme hardware abft/detect/ counts (checksum_hardware.cpp, impl/):
// - PE multipliers and adders compute S of the P cycles: u = S / P (fill and drain idle them);
//   idle PEs see held operands and do not switch.
// - Every register is clocked every cycle (no clock gating): 1 per bit. Its energy entry covers the
//   clock load plus typical data toggling.
// - Checksum datapaths that follow the stream (checksum column, weight-sum row, output adder row)
//   switch as often as the PEs: u. Units that work once per output drain or once per fold do C/P or
//   1/P operations per cycle.
// - Horowitz's energies are for typical (random) data. Workload::pe_data_activity scales the
//   baseline PE multiplier and adder only (a what-if for low-toggle LLM operands; default 1).
void BillOfMaterials::add(const std::string& block, const std::string& what, Component c, double count,
                          double ops_per_cycle, double scale) {
  CostItem it;
  it.block = block;
  it.what = what;
  it.component = c;
  it.count = count;
  it.scale = scale;
  it.ops_per_cycle = ops_per_cycle;
  items.push_back(std::move(it));
}

void BillOfMaterials::regs(const std::string& block, const std::string& what, double units, double bits) {
  add(block, what, Component::RegBit, units * bits, 1.0);
}

void add_pe_array(BillOfMaterials& b, const std::string& block, const ArrayConfig& cfg, double u,
                  double data_activity) {
  const double pes = static_cast<double>(cfg.rows) * cfg.cols;
  b.add(block, "INT8 multiplier", Component::Mult8, pes, u * data_activity);
  b.add(block, "INT32 accumulate adder", Component::Add32, pes, u * data_activity);
  if (cfg.dataflow == Dataflow::WS) {
    b.regs(block, "stationary weight register (8b)", pes, 8);
    b.regs(block, "activation register (8b, moves right)", pes, 8);
    b.regs(block, "partial-sum register (32b, moves down)", pes, 32);
  } else {
    b.regs(block, "weight register (8b, moves down)", pes, 8);
    b.regs(block, "activation register (8b, moves right)", pes, 8);
    b.regs(block, "accumulator register (32b, stationary)", pes, 32);
  }
}

std::vector<CostItem> baseline_items(const ArrayConfig& cfg, const Workload& load) {
  cfg.validate();
  const FoldActivity a = fold_activity(cfg, load.stream);
  BillOfMaterials b;
  add_pe_array(b, "PE array", cfg, a.utilization, load.pe_data_activity);
  return b.items;
}

Cost price(std::vector<CostItem> items, const TechTable& tech, double clock_ghz) {
  Cost c;
  for (CostItem& it : items) {
    const ComponentCost& unit = tech.cost(it.component);
    it.area_um2 = it.count * it.scale * unit.area_um2;
    it.dynamic_pj_per_cycle = it.count * it.scale * it.ops_per_cycle * unit.energy_pj;
    c.area_um2 += it.area_um2;
    c.dynamic_pj_per_cycle += it.dynamic_pj_per_cycle;
  }
  c.items = std::move(items);
  c.dynamic_mw = c.dynamic_pj_per_cycle * clock_ghz;
  c.leakage_mw = c.area_um2 * tech.leakage_nw_per_um2 * 1e-6;
  return c;
}

Cost baseline_cost(const ArrayConfig& cfg, const TechTable& tech, const Workload& load) {
  return price(baseline_items(cfg, load), tech, cfg.clock_ghz);
}

Cost detection_cost(const DetectionHardware& hw, const ArrayConfig& cfg, const TechTable& tech) {
  Cost c = price(hw.items, tech, cfg.clock_ghz);
  c.extra_cycles_per_fold = hw.extra_cycles_per_fold;
  return c;
}

Workload gemm_workload(const ArrayConfig& cfg, const GemmShape& shape, double pe_data_activity) {
  return {cfg.dataflow == Dataflow::WS ? shape.m : shape.k, pe_data_activity};
}

// ---------------------------------------------------------------------------------------------------
// Energy per GEMM
// ---------------------------------------------------------------------------------------------------

SramTraffic sram_traffic(const ArrayConfig& cfg, const GemmShape& shape) {
  cfg.validate();
  shape.validate();
  // The fold-by-fold sums in closed form (O(1) for any shape): over the tiles of one dimension the used
  // rows (columns) add up to that dimension, so each sum is a product of a dimension, the stream and the
  // tile count of the other dimension.
  const std::int64_t M = shape.m, N = shape.n, K = shape.k;
  const char* what = "SRAM traffic of the GEMM (bytes)";
  SramTraffic t;
  if (cfg.dataflow == Dataflow::WS) {  // folds: n-tiles x k-tiles, stream M
    const std::int64_t n_tiles = ceil_div(N, cfg.cols), k_tiles = ceil_div(K, cfg.rows);
    t.weight_bytes_read = checked_mul(K, N, what);
    t.activation_bytes_read = checked_mul(M, K, n_tiles, what);
    t.output_bytes_written = checked_mul(checked_mul(M, N, what), k_tiles, 4, what);
    t.psum_bytes_read = checked_mul(checked_mul(M, N, what), k_tiles - 1, 4, what);
  } else {  // folds: m-tiles x n-tiles, stream K
    const std::int64_t m_tiles = ceil_div(M, cfg.rows), n_tiles = ceil_div(N, cfg.cols);
    t.activation_bytes_read = checked_mul(M, K, n_tiles, what);
    t.weight_bytes_read = checked_mul(K, N, m_tiles, what);
    t.output_bytes_written = checked_mul(M, N, 4, what);
  }
  (void)checked_add(checked_add(t.weight_bytes_read, t.activation_bytes_read, what),
                    checked_add(t.psum_bytes_read, t.output_bytes_written, what), what);
  return t;
}

EnergyBreakdown gemm_energy(const ArrayConfig& cfg, const TechTable& tech, const GemmEnergyInput& in) {
  cfg.validate();
  in.shape.validate();
  const double vr = in.recovery_v > 0 ? in.recovery_v : in.v;
  const double vm = in.v_memory > 0 ? in.v_memory : in.v_nominal;
  if (!(in.v > 0) || !(in.v_nominal > 0) || !std::isfinite(in.v) || !std::isfinite(in.v_nominal) || !std::isfinite(vr) ||
      !std::isfinite(vm) || in.v_memory < 0)
    throw ConfigError("energy: voltages must be positive finite numbers");
  if (in.memory && !in.dram) throw std::invalid_argument("energy: memory traffic needs a DRAM energy table");
  if (in.recomputed_folds < 0) throw ConfigError("energy: recomputed_folds must be >= 0");

  const FoldPlan plan(cfg, in.shape);
  const Workload load = gemm_workload(cfg, in.shape, in.pe_data_activity);
  if (!in.detection.items.empty() && !(in.detection.load == load))
    throw std::invalid_argument("energy: the detection hardware was counted for another fold (stream " +
                                std::to_string(in.detection.load.stream) + ") than the GEMM's (" +
                                std::to_string(load.stream) + ")");
  const Cost base = baseline_cost(cfg, tech, load);
  const Cost det = detection_cost(in.detection, cfg, tech);

  EnergyBreakdown e;
  e.macs = in.shape.macs();
  e.folds = plan.count();
  const std::int64_t per_fold = checked_add(plan.cycles_per_fold(), det.extra_cycles_per_fold, "cycles per fold");
  e.cycles = checked_mul(e.folds, per_fold, "cycles of the GEMM (folds x cycles per fold)");
  e.seconds = static_cast<double>(e.cycles) / (cfg.clock_ghz * 1e9);
  e.traffic = sram_traffic(cfg, in.shape);
  if (in.recomputed_folds > 0) {
    e.recomputed_cycles = checked_mul(in.recomputed_folds, per_fold, "recomputed cycles");
    e.recomputed_macs = static_cast<std::int64_t>(std::llround(
        static_cast<double>(e.macs) * static_cast<double>(in.recomputed_folds) / static_cast<double>(e.folds)));
  }

  double reg_bits = 0;
  for (const CostItem& it : base.items)
    if (it.component == Component::RegBit) reg_bits += it.count;
  const double mac_pj =
      (tech.cost(Component::Mult8).energy_pj + tech.cost(Component::Add32).energy_pj) * in.pe_data_activity;
  // The SRAM in its own domain: the memory model's traffic priced by scratchpad size, or the estimate.
  const double sram_dyn = (vm / in.v_nominal) * (vm / in.v_nominal);
  if (in.memory) {
    e.memory = memory_energy(at_voltage(tech, tech.v_nominal * vm / in.v_nominal), *in.dram, *in.memory);
    e.dram = e.memory.dram();
  } else {
    e.memory.sram = static_cast<double>(e.traffic.bytes_read() + e.traffic.bytes_written()) / 8.0 *
                    tech.sram_energy_pj_per_access * sram_dyn;
  }

  // Parts of `folds` folds (a fraction of the GEMM's folds, averaged) at supply v.
  struct Parts {
    double mac = 0, regs = 0, sram = 0, leak = 0, det = 0;
    double total() const { return mac + regs + sram + leak + det; }
  };
  auto parts = [&](double v, double folds) {
    const double frac = folds / static_cast<double>(e.folds);
    const double dyn = (v / in.v_nominal) * (v / in.v_nominal);
    const double lin = v / in.v_nominal;
    const double cycles = folds * static_cast<double>(per_fold);
    const double ns = cycles / cfg.clock_ghz;  // mW * ns = pJ
    Parts p;
    p.mac = static_cast<double>(e.macs) * frac * mac_pj * dyn;
    p.regs = reg_bits * cycles * tech.cost(Component::RegBit).energy_pj * dyn;
    p.sram = e.memory.sram * frac;  // the operands are read and written again, at the SRAM's supply
    p.leak = base.leakage_mw * lin * ns;
    // Checksum and statistics units may sit in a nominal-voltage domain; a DMR copy and Razor
    // flip-flops (at_array_voltage) are part of the underscaled array whatever the setting.
    const bool nominal = in.detection_at_nominal && !in.detection.at_array_voltage;
    const double det_dyn = nominal ? 1.0 : dyn;
    const double det_lin = nominal ? 1.0 : lin;
    p.det = det.dynamic_pj_per_cycle * cycles * det_dyn + det.leakage_mw * det_lin * ns;
    return p;
  };
  const Parts main = parts(in.v, static_cast<double>(e.folds));
  e.mac = main.mac;
  e.array_registers = main.regs;
  e.sram = main.sram;
  e.leakage = main.leak;
  e.detection = main.det;
  if (in.recomputed_folds > 0) {
    const Parts rec = parts(vr, static_cast<double>(in.recomputed_folds));
    e.recovery = rec.total();
    e.recovery_sram = rec.sram;
  }
  return e;
}

}  // namespace saffire::arch
