#include "arch/tech/array_cost.hpp"

#include <cctype>
#include <cmath>
#include <string>

#include "arch/config_error.hpp"
#include "arch/fold_plan.hpp"

namespace saffire::arch {

std::string_view to_string(Scheme s) {
  switch (s) {
    case Scheme::None:
      return "none";
    case Scheme::Classic:
      return "classic";
    case Scheme::ClassicCorrect:
      return "classic-correct";
    case Scheme::ApproxAbft:
      return "approxabft";
    case Scheme::Statistical:
      return "statistical";
    case Scheme::Dmr:
      return "dmr";
    case Scheme::ThunderVolt:
      return "thundervolt";
  }
  return "?";
}

Scheme parse_scheme(std::string_view text, std::string_view where) {
  std::string lower(text);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string names;
  for (Scheme s : kSchemes) {
    if (lower == to_string(s)) return s;
    names += std::string(names.empty() ? "" : ", ") + std::string(to_string(s));
  }
  throw ConfigError(std::string(where) + ": unknown scheme '" + std::string(text) + "' (expected one of " + names +
                    ")");
}

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
// Activity assumptions (ops_per_cycle, averaged over a fold of P cycles that streams S values):
// - PE multipliers and adders compute S of the P cycles: u = S / P (fill and drain idle them);
//   idle PEs see held operands and do not switch.
// - Every register is clocked every cycle (no clock gating): 1 per bit. Its energy entry covers the
//   clock load plus typical data toggling.
// - Checksum datapaths that follow the stream (checksum column, weight-sum row, output adder row)
//   switch as often as the PEs: u. Units that work once per output drain or once per fold do C/P or
//   1/P operations per cycle.
// - Horowitz's energies are for typical (random) data. Workload::pe_data_activity scales the
//   baseline PE multiplier and adder only (a what-if for low-toggle LLM operands; default 1).
namespace {

struct Bom {
  std::vector<CostItem> items;
  void add(const std::string& block, const std::string& what, Component c, double count, double ops_per_cycle,
           double scale = 1) {
    CostItem it;
    it.block = block;
    it.what = what;
    it.component = c;
    it.count = count;
    it.scale = scale;
    it.ops_per_cycle = ops_per_cycle;
    items.push_back(std::move(it));
  }
  // `bits` register bits per unit, `units` units, clocked every cycle.
  void regs(const std::string& block, const std::string& what, double units, double bits) {
    add(block, what, Component::RegBit, units * bits, 1.0);
  }
};

int ceil_log2(std::int64_t n) {
  int b = 0;
  while ((std::int64_t{1} << b) < n) ++b;
  return b;
}

void add_pe_array(Bom& b, const std::string& block, const ArrayConfig& cfg, double u, double data_activity) {
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

// One direction of Huang-Abraham checksums: the row checksums Y e (one per output row m), compared
// with X (W e). This is the hardware of issue 5 and background.md (an extra PE column + an output
// adder row on WS; a weight-sum row + checksum accumulators + output-sum accumulators on OS).
// Returns the number of checksum deviations produced per fold (WS: S, one per output row; OS: R).
std::int64_t add_row_checksums(Bom& b, const ArrayConfig& cfg, const FoldActivity& a) {
  const double R = cfg.rows, C = cfg.cols, u = a.utilization, P = static_cast<double>(a.cycles_per_fold);
  if (cfg.dataflow == Dataflow::WS) {
    // An extra PE column holding (W e)[k] = sum_n W[k][n] (precomputed, 8 + log2 C <= 16 bits), fed by
    // the same activations: its bottom output is (X W e)[m]. An 8x16 multiplier has twice the
    // partial-product array of an 8x8 one: 2 INT8 multipliers.
    const std::string col = "checksum PE column (R)";
    b.add(col, "8x16 multiplier (activation x W e)", Component::Mult8, R, u, 2.0);
    b.add(col, "INT32 adder", Component::Add32, R, u);
    b.regs(col, "stationary checksum weight (16b)", R, 16);
    b.regs(col, "activation register (8b)", R, 8);
    b.regs(col, "partial-sum register (32b)", R, 32);
    // An adder row under the array: a running sum passed right along the bottom edge, Y[m][n] added
    // in column n (the pipeline register keeps the skew): produces (Y e)[m], one per cycle.
    const std::string row = "output adder row (C)";
    b.add(row, "INT32 adder", Component::Add32, C, u);
    b.regs(row, "running-sum register (32b)", C, 32);
    b.add("comparators", "32-bit comparator (Y e vs X W e, one per cycle)", Component::Cmp32, 1, u);
    return a.stream;
  }
  // OS. A weight-sum row along the top edge: the running sum of the weights entering the columns,
  // (W e)[k] (16 bits for C <= 256), passed right with the skew.
  const std::string top = "weight-sum row (C)";
  b.add(top, "INT16 adder", Component::Add16, C, u);
  b.regs(top, "running-sum register (16b)", C, 16);
  // A checksum accumulator column on the right edge: unit m accumulates X[m][k] * (W e)[k] -> (X W e)[m].
  const std::string col = "checksum accumulator column (R)";
  b.add(col, "8x16 multiplier (activation x W e)", Component::Mult8, R, u, 2.0);
  b.add(col, "INT32 adder", Component::Add32, R, u);
  b.regs(col, "checksum weight register (16b, moves down)", R, 16);
  b.regs(col, "activation register (8b)", R, 8);
  b.regs(col, "accumulator (32b)", R, 32);
  // Output-sum accumulators at the right edge: unit m adds up Y[m][.] as the outputs drain (C adds per
  // fold) -> (Y e)[m]; then one comparison per fold each.
  const std::string acc = "output-sum accumulators (R)";
  b.add(acc, "INT32 adder", Component::Add32, R, C / P);
  b.regs(acc, "accumulator (32b)", R, 32);
  b.add("comparators", "32-bit comparator (one per row, once per fold)", Component::Cmp32, R, 1.0 / P);
  return cfg.rows;
}

// The other direction, e^T Y (one per output column n) against (e^T X) W, needed to locate a single
// error at the intersection of a bad row and a bad column (classic-correct).
void add_column_checksums(Bom& b, const ArrayConfig& cfg, const FoldActivity& a) {
  const double R = cfg.rows, C = cfg.cols, u = a.utilization, P = static_cast<double>(a.cycles_per_fold);
  if (cfg.dataflow == Dataflow::WS) {
    // (e^T X)[k] = sum_m X[m][k] is accumulated at the left edge (one accumulator per row k). It is
    // wider than INT8, so it is streamed through the existing array as 5 extra rows of 7-bit chunks
    // (mod 2^32: 5 x 7 >= 32 bits; nonnegative 7-bit chunks fit the signed INT8 multipliers): 5 extra
    // cycles per fold, no extra multipliers. At the bottom, per column: an accumulator of e^T Y over the
    // stream, a shift-add that recombines the 5 chunk results, and a comparator.
    b.add("activation-sum column (R)", "INT32 adder", Component::Add32, R, u);
    b.regs("activation-sum column (R)", "accumulator (32b)", R, 32);
    b.add("column-sum accumulators (C)", "INT32 adder", Component::Add32, C, u);
    b.regs("column-sum accumulators (C)", "accumulator (32b)", C, 32);
    b.add("chunk recombiners (C)", "INT32 adder (shift-add)", Component::Add32, C, 5.0 / P);
    b.regs("chunk recombiners (C)", "accumulator (32b)", C, 32);
    b.add("comparators", "32-bit comparator (one per column, once per fold)", Component::Cmp32, C, 1.0 / P);
    return;
  }
  // OS, the mirror image of the row checksums: an activation-sum column along the left edge gives
  // (e^T X)[k] (16 bits for R <= 256); a checksum accumulator row under the array, unit n
  // accumulating (e^T X)[k] * W[k][n] as the weights leave the bottom of column n -> (e^T X W)[n];
  // the outputs draining at the right edge are summed down the edge, one column per drain cycle, and
  // compared with one comparator.
  const std::string left = "activation-sum column (R)";
  b.add(left, "INT16 adder", Component::Add16, R, u);
  b.regs(left, "running-sum register (16b)", R, 16);
  const std::string row = "checksum accumulator row (C)";
  b.add(row, "8x16 multiplier (e^T X x weight)", Component::Mult8, C, u, 2.0);
  b.add(row, "INT32 adder", Component::Add32, C, u);
  b.regs(row, "activation-sum register (16b, moves right)", C, 16);
  b.regs(row, "weight register (8b)", C, 8);
  b.regs(row, "accumulator (32b)", C, 32);
  const std::string edge = "drain column-sum chain (R)";
  b.add(edge, "INT32 adder", Component::Add32, R, C / P);
  b.regs(edge, "running-sum register (32b)", R, 32);
  b.add("comparators", "32-bit comparator (one column per drain cycle)", Component::Cmp32, 1, C / P);
}

// MSD = |sum of the deviations| (40-bit: the sum of up to 256 32-bit deviations), its absolute value.
void add_msd(Bom& b, double deviations, double P) {
  const std::string blk = "statistics unit";
  b.add(blk, "MSD accumulator adder (40b = 1.25 INT32)", Component::Add32, 1, deviations / P, 1.25);
  b.regs(blk, "MSD register (40b)", 1, 40);
  b.add(blk, "absolute value (conditional negate, adder-sized)", Component::Add32, 1, 1.0 / P, 1.25);
}

}  // namespace

std::vector<CostItem> baseline_items(const ArrayConfig& cfg, const Workload& load) {
  cfg.validate();
  const FoldActivity a = fold_activity(cfg, load.stream);
  Bom b;
  add_pe_array(b, "PE array", cfg, a.utilization, load.pe_data_activity);
  return b.items;
}

namespace {
bool has_column_checksums(Scheme scheme, const SchemeOptions& opt) {
  if (scheme == Scheme::ClassicCorrect) return true;
  return opt.two_sided && (scheme == Scheme::Classic || scheme == Scheme::ApproxAbft || scheme == Scheme::Statistical);
}
}  // namespace

std::int64_t scheme_extra_cycles(Scheme scheme, const ArrayConfig& cfg, const SchemeOptions& opt) {
  return has_column_checksums(scheme, opt) && cfg.dataflow == Dataflow::WS ? 5 : 0;
}

std::vector<CostItem> scheme_items(Scheme scheme, const ArrayConfig& cfg, const Workload& load,
                                   const SchemeOptions& opt) {
  cfg.validate();
  const FoldActivity a = fold_activity(cfg, load.stream);
  const double R = cfg.rows, C = cfg.cols, u = a.utilization, P = static_cast<double>(a.cycles_per_fold);
  Bom b;
  // Checksums first (one or both directions); `d` = deviations produced per fold.
  double d = 0;
  const bool columns = has_column_checksums(scheme, opt);
  if (scheme != Scheme::None && scheme != Scheme::Dmr && scheme != Scheme::ThunderVolt) {
    d = static_cast<double>(add_row_checksums(b, cfg, a));
    if (columns) {
      add_column_checksums(b, cfg, a);
      d += C;  // one column deviation per output column
    }
  }
  switch (scheme) {
    case Scheme::None:
    case Scheme::Classic:
      break;
    case Scheme::ClassicCorrect: {
      // Locate: the bad row and column indices and the deviation; correct: one subtraction per fold
      // at most.
      b.regs("correction", "row index, column index and deviation registers", 1,
             ceil_log2(cfg.rows) + ceil_log2(cfg.cols) + 32);
      b.add("correction", "INT32 subtractor", Component::Add32, 1, 1.0 / P);
      break;
    }
    case Scheme::ApproxAbft: {
      add_msd(b, d, P);
      b.add("statistics unit", "32-bit comparator (MSD vs threshold)", Component::Cmp32, 1, 1.0 / P);
      break;
    }
    case Scheme::Statistical: {
      add_msd(b, d, P);
      const std::string blk = "statistics unit";
      b.add(blk, "leading-one detector (log2 MSD, comparator-sized)", Component::Cmp32, 1, 1.0 / P);
      // log2 theta_mag = b - (a - 1) log2 MSD in 16-bit fixed point: a 16x16 multiplier (4 INT8
      // partial-product arrays) and a 16-bit adder, once per fold; theta_mag = 2^x by a decoder
      // (comparator-sized).
      b.add(blk, "16x16 multiplier ((a-1) log2 MSD)", Component::Mult8, 1, 1.0 / P, 4.0);
      b.add(blk, "INT16 adder (b - ...)", Component::Add16, 1, 1.0 / P);
      b.add(blk, "2^x decoder (comparator-sized)", Component::Cmp32, 1, 1.0 / P);
      b.regs(blk, "constants a-1, b, theta_freq and theta_mag (4 x 16b)", 1, 64);
      if (cfg.dataflow == Dataflow::OS) {
        // R deviations, all present at the end of the fold (held in the output-sum accumulators): one
        // magnitude comparator each against theta_mag, a popcount of the R results (~R full adders
        // = R/16 INT16 adders), the frequency register.
        b.add(blk, "per-deviation comparators (|dev| > theta_mag)", Component::Cmp32, R, 1.0 / P);
        b.add(blk, "popcount of the comparator outputs (R/16 INT16 adders)", Component::Add16, R / 16.0, 1.0 / P);
        if (columns) {
          // The C column deviations come one per drain cycle: one more comparator and a counter.
          b.add(blk, "column-deviation comparator (|dev| > theta_mag)", Component::Cmp32, 1, C / P);
          b.add(blk, "column-deviation counter (INT16 adder)", Component::Add16, 1, C / P);
        }
      } else {
        // (With column checksums the C column deviations, at the end of the fold, go through the
        // same detector and bins: d / P detections per cycle instead of S / P.)
        // S deviations, one per cycle, before theta_mag is known: each is binned by its leading-one
        // position (one detector at the output) into 32 16-bit counters; at the end of the fold freq =
        // the sum of the bins at or above log2 theta_mag (one INT16 adder, 32 adds).
        b.add(blk, "leading-one detector per deviation (comparator-sized)", Component::Cmp32, 1, d / P);
        b.add(blk, "bin incrementer (INT16 adder)", Component::Add16, 1, d / P);
        b.regs(blk, "32 magnitude-bin counters (16b)", 32, 16);
        b.add(blk, "bin summing adder (INT16)", Component::Add16, 1, 32.0 / P);
      }
      b.regs(blk, "frequency register (16b)", 1, 16);
      b.add(blk, "leading-one detector (log2 freq, comparator-sized)", Component::Cmp32, 1, 1.0 / P);
      b.add(blk, "comparator (log2 freq vs theta_freq)", Component::Cmp32, 1, 1.0 / P);
      break;
    }
    case Scheme::Dmr: {
      // A second array computing the same fold, and a comparator on every output at the array's edge
      // (WS: one per column, one output per cycle; OS: one per row, C outputs per drain).
      add_pe_array(b, "duplicate PE array", cfg, u, load.pe_data_activity);
      if (cfg.dataflow == Dataflow::WS) {
        b.add("output comparators", "32-bit comparator (one per column)", Component::Cmp32, C, u);
      } else {
        b.add("output comparators", "32-bit comparator (one per row)", Component::Cmp32, R, C / P);
      }
      break;
    }
    case Scheme::ThunderVolt: {
      // Razor-style detection on every accumulator bit of every PE: a shadow flip-flop clocked late,
      // an XOR comparing it with the main flip-flop, an OR tree of the 32 flags (31 2-input gates) and,
      // for TE-drop, a 2:1 mux per bit that keeps the previous accumulator value.
      const double pes = R * C;
      const std::string blk = "Razor detection (per PE)";
      b.regs(blk, "shadow flip-flops (32b)", pes, 32);
      b.add(blk, "error-detection XOR (32 per PE)", Component::Xor2, pes * 32, u);
      b.add(blk, "error OR tree (31 gates per PE)", Component::Xor2, pes * 31, u);
      b.add(blk, "TE-drop mux (32 bits per PE)", Component::Mux2, pes * 32, u);
      break;
    }
  }
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

Cost scheme_cost(Scheme scheme, const ArrayConfig& cfg, const TechTable& tech, const Workload& load,
                 const SchemeOptions& opt) {
  Cost c = price(scheme_items(scheme, cfg, load, opt), tech, cfg.clock_ghz);
  c.extra_cycles_per_fold = scheme_extra_cycles(scheme, cfg, opt);
  return c;
}

// ---------------------------------------------------------------------------------------------------
// Energy per GEMM
// ---------------------------------------------------------------------------------------------------

SramTraffic sram_traffic(const ArrayConfig& cfg, const GemmShape& shape) {
  cfg.validate();
  shape.validate();
  const FoldPlan plan(cfg, shape);
  SramTraffic t;
  for (std::int64_t i = 0; i < plan.count(); ++i) {
    const Fold f = plan.fold(i);
    if (cfg.dataflow == Dataflow::WS) {
      t.weight_bytes_read += f.rows_used * f.cols_used;
      t.activation_bytes_read += f.stream * f.rows_used;
      t.output_bytes_written += f.stream * f.cols_used * 4;
      if (f.row0 > 0) t.psum_bytes_read += f.stream * f.cols_used * 4;
    } else {
      t.activation_bytes_read += f.rows_used * f.stream;
      t.weight_bytes_read += f.stream * f.cols_used;
      t.output_bytes_written += f.rows_used * f.cols_used * 4;
    }
  }
  return t;
}

EnergyBreakdown gemm_energy(const ArrayConfig& cfg, const TechTable& tech, const GemmEnergyInput& in) {
  cfg.validate();
  in.shape.validate();
  const double vr = in.recovery_v > 0 ? in.recovery_v : in.v;
  if (!(in.v > 0) || !(in.v_nominal > 0) || !std::isfinite(in.v) || !std::isfinite(in.v_nominal) || !std::isfinite(vr))
    throw ConfigError("energy: voltages must be positive finite numbers");
  if (in.recomputed_folds < 0) throw ConfigError("energy: recomputed_folds must be >= 0");

  const FoldPlan plan(cfg, in.shape);
  const std::int64_t stream = cfg.dataflow == Dataflow::WS ? in.shape.m : in.shape.k;
  const Workload load{stream, in.pe_data_activity};
  const Cost base = baseline_cost(cfg, tech, load);
  const Cost det = scheme_cost(in.scheme, cfg, tech, load, in.scheme_options);

  EnergyBreakdown e;
  e.macs = in.shape.macs();
  e.folds = plan.count();
  const std::int64_t per_fold = plan.cycles_per_fold() + det.extra_cycles_per_fold;
  e.cycles = e.folds * per_fold;
  e.seconds = static_cast<double>(e.cycles) / (cfg.clock_ghz * 1e9);
  e.traffic = sram_traffic(cfg, in.shape);
  if (in.recomputed_folds > 0) {
    e.recomputed_cycles = in.recomputed_folds * per_fold;
    e.recomputed_macs = static_cast<std::int64_t>(std::llround(
        static_cast<double>(e.macs) * static_cast<double>(in.recomputed_folds) / static_cast<double>(e.folds)));
  }

  double reg_bits = 0;
  for (const CostItem& it : base.items)
    if (it.component == Component::RegBit) reg_bits += it.count;
  const double mac_pj =
      (tech.cost(Component::Mult8).energy_pj + tech.cost(Component::Add32).energy_pj) * in.pe_data_activity;
  const double accesses = static_cast<double>(e.traffic.bytes_read() + e.traffic.bytes_written()) / 8.0;

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
    p.sram = accesses * frac * tech.sram_energy_pj_per_access * dyn;
    p.leak = base.leakage_mw * lin * ns;
    // Checksum and statistics units may sit in a nominal-voltage domain; a DMR copy and Razor
    // flip-flops are part of the underscaled array whatever the setting.
    const bool nominal = in.detection_at_nominal && in.scheme != Scheme::Dmr && in.scheme != Scheme::ThunderVolt;
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
  if (in.recomputed_folds > 0) e.recovery = parts(vr, static_cast<double>(in.recomputed_folds)).total();
  return e;
}

}  // namespace saffire::arch
