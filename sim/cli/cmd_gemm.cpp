// saffire gemm: one seeded random INT8 GEMM on the simulated array, checked against a reference.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "arch/config_error.hpp"
#include "arch/memory_budget.hpp"
#include "arch/tech/tech_table.hpp"
#include "sim/array_model.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/commands.hpp"
#include "sim/energy_report.hpp"
#include "sim/cli/option_checks.hpp"
#include "sim/cli/memory_options.hpp"
#include "sim/cli/fault_options.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/fault_injecting_engine.hpp"
#include "sim/faults/numeric_fault_deviation.hpp"
#include "sim/faults/numeric_output_faults.hpp"
#include "models/engine/cpu_engine.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "models/workload/gemm_operands.hpp"
#include "models/workload/gemm_reference.hpp"
#include "models/workload/numeric_operands.hpp"
#include "models/gemm/ordered_gemm.hpp"

namespace saffire::cli {
namespace {

struct GemmOptions {
  ArrayOptions array;
  MemoryOptions memory;
  FaultOptions faults;  // output-word flips on floating-point PEs (--ber, --bit, --bit-range, --fault-seed)
  std::int64_t m = 0, n = 0, k = 0;
  std::uint64_t seed = 1;
  std::string fidelity = "fold";
  std::string kernel = "auto";
  int threads = 0;
  bool json = false;
  int node = 14;            // technology node of the energy figures
  std::optional<double> v;  // --voltage: the array's supply (default the nominal [arch] v_nominal)
};

// The fault campaign of one numeric GEMM: the plan's flips on the array engine and on the cpu engine
// (FaultInjectingEngine), which must agree bit for bit, and the deviation of each flip by bit position.
struct NumericFaultRun {
  std::int64_t faults = 0, changed = 0;
  bool engines_agree = true;
  std::string campaign;  // the options' description, with the command's --voltage
  std::vector<faults::BitDeviation> by_bit;
};

NumericFaultRun run_numeric_faults(const GemmOptions& o, const arch::ArrayConfig& cfg, sim::Fidelity fidelity,
                                   const models::NumericGemmArgs& clean_args) {
  NumericFaultRun r;
  const std::size_t outputs = static_cast<std::size_t>(clean_args.m * clean_args.n);
  std::vector<double> on_array(outputs), on_cpu(outputs);
  FaultOptions fo = o.faults;
  fo.set_voltage(o.v);
  r.campaign = fo.describe();
  std::vector<arch::OutputFault> flips;
  for (int e = 0; e < 2; ++e) {
    std::shared_ptr<faults::FaultPlan> plan = fo.make_plan(cfg, o.array.config_path(), 1);
    models::NumericGemmArgs args = clean_args;
    args.y = e == 0 ? on_array.data() : on_cpu.data();
    if (e == 0) {
      sim::ArrayGemmEngine engine(cfg, fidelity, o.threads, o.kernel);
      engine.set_fault_plan(plan);
      engine.numeric_gemm({}, args);
      flips = plan->sample({}, args.m, args.n);
      r.faults = plan->fault_count();
    } else {
      faults::FaultInjectingEngine engine(models::make_cpu_engine(o.kernel, o.threads, cfg), cfg, plan);
      engine.numeric_gemm({}, args);
      r.engines_agree = r.engines_agree && plan->fault_count() == r.faults;
    }
  }
  for (std::size_t i = 0; i < outputs; ++i) {
    r.engines_agree = r.engines_agree && models::same_value(on_array[i], on_cpu[i]);
    r.changed += !models::same_value(on_array[i], clean_args.y[i]);
  }
  r.by_bit = faults::deviation_by_bit(cfg.numerics.accumulator, clean_args, clean_args.y, on_array.data(), flips);
  return r;
}

// A PE design in floating point (or INT16): the array in the dataflow's accumulation order, checked
// against the scalar ordered GEMM (PeArithmetic's step, one thread; no vectorized path).
void run_numeric_gemm(const GemmOptions& o, const arch::ArrayConfig& cfg, const arch::GemmShape& shape,
                      sim::Fidelity fidelity) {
  arch::check_memory(models::numeric_gemm_buffer_bytes(shape, /*with_reference=*/true),
                     "gemm: the operands, outputs and reference");
  const models::NumericOperands ops = models::random_numeric_operands(shape, cfg.numerics.operand, o.seed);
  const std::size_t outputs = static_cast<std::size_t>(shape.m * shape.n);
  std::vector<double> y(outputs), ref(outputs);
  if (o.faults.enabled()) {  // a bad campaign (--bit past the word, stuck-at) stops before the clean run
    FaultOptions fo = o.faults;
    fo.set_voltage(o.v);
    faults::check_numeric_fault_plan(*fo.make_plan(cfg, o.array.config_path(), 1), cfg);
  }
  sim::ArrayModel model(cfg, fidelity, o.threads, o.kernel);
  const models::NumericGemmArgs args{shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n,
                                     y.data(), shape.n};
  const sim::ArrayRunStats stats = model.run(args);
  models::NumericGemmArgs ref_args = args;
  ref_args.y = ref.data();
  models::ordered_gemm_scalar(ref_args, cfg.numerics, models::accumulation_order(cfg));
  std::int64_t mismatches = 0;
  for (std::size_t i = 0; i < outputs; ++i) mismatches += !models::same_value(y[i], ref[i]);
  // How far the array's order and rounding land from the exact sum (double accumulation of the same
  // operands), in units of the output buffer's precision: a scale for the rounding, never a check.
  double max_rel = 0;
  for (std::int64_t i = 0; i < std::min<std::int64_t>(shape.m, 64); ++i)
    for (std::int64_t j = 0; j < shape.n; ++j) {
      double exact = 0, magnitude = 0;
      for (std::int64_t kk = 0; kk < shape.k; ++kk) {
        const double p = ops.x[static_cast<std::size_t>(i * shape.k + kk)] * ops.w[static_cast<std::size_t>(kk * shape.n + j)];
        exact += p;
        magnitude += std::fabs(p);
      }
      if (magnitude > 0) max_rel = std::max(max_rel, std::fabs(y[static_cast<std::size_t>(i * shape.n + j)] - exact) / magnitude);
    }
  std::optional<NumericFaultRun> fr;
  if (o.faults.enabled()) fr = run_numeric_faults(o, cfg, fidelity, args);
  const arch::CycleReport& r = stats.report;
  const std::string pe = arch::describe(cfg.numerics);
  const char* order = cfg.dataflow == arch::Dataflow::WS ? "WS: R products per fold down the column, folds added in the output buffer in fold order"
                                                        : "OS: k = 0..K-1 in the PE, one rounding per step";
  if (o.json) {
    nlohmann::json j = {{"m", shape.m}, {"n", shape.n}, {"k", shape.k}, {"rows", cfg.rows}, {"cols", cfg.cols},
                              {"dataflow", arch::to_string(cfg.dataflow)}, {"fidelity", sim::to_string(fidelity)},
                              {"seed", o.seed},
                              {"operand_type", arch::to_string(cfg.numerics.operand)},
                              {"accumulator_type", arch::to_string(cfg.numerics.accumulator)},
                              {"output_buffer_type", arch::to_string(cfg.numerics.output_buffer)},
                              {"fma", cfg.numerics.fma}, {"cycles", r.cycles}, {"folds", r.folds},
                              {"cycles_per_fold", r.cycles_per_fold}, {"macs", r.macs},
                              {"utilization", r.utilization}, {"verified", mismatches == 0},
                              {"mismatches", mismatches}, {"reference", "ordered-scalar"},
                              {"max_error_vs_exact", max_rel}, {"host_seconds", stats.host_seconds}};
    if (fr) {
      nlohmann::json rows = nlohmann::json::array();
      for (const faults::BitDeviation& b : fr->by_bit)
        rows.push_back({{"bit", b.bit}, {"field", faults::to_string(b.field)}, {"faults", b.faults},
                        {"changed", b.changed}, {"nonfinite", b.nonfinite}, {"max_relative", b.max_relative},
                        {"median_relative", b.median_relative}});
      j["faults"] = {{"campaign", fr->campaign}, {"injected", fr->faults}, {"changed_outputs", fr->changed},
                     {"engines_agree", fr->engines_agree}, {"deviation_by_bit", rows}};
    }
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("saffire gemm: Y[{}x{}] = X[{}x{}] * W[{}x{}] on a {}x{} {} array, {} fidelity, seed {}\n", shape.m,
               shape.n, shape.m, shape.k, shape.k, shape.n, cfg.rows, cfg.cols, arch::to_string(cfg.dataflow),
               sim::to_string(fidelity), o.seed);
    fmt::print("  PEs                 {}\n", pe);
    fmt::print("  order               {}\n", order);
    fmt::print("  cycles              {} (0-based index of the last output cycle, as SCALE-Sim reports)\n", r.cycles);
    fmt::print("  folds               {} x {} cycles\n", r.folds, r.cycles_per_fold);
    fmt::print("  MACs                {}\n", r.macs);
    fmt::print("  verified            {} (bit-exact vs the scalar ordered reference{})\n", mismatches == 0 ? "yes" : "NO",
               mismatches == 0 ? "" : fmt::format(", {} mismatching outputs", mismatches));
    fmt::print("  vs exact sum        max |y - exact| / sum |x w| = {:.3g} (first {} rows)\n", max_rel,
               std::min<std::int64_t>(shape.m, 64));
    fmt::print("  host time           {:.4f} s ({:.3g} simulated MAC/s)\n", stats.host_seconds,
               static_cast<double>(r.macs) / std::max(stats.host_seconds, 1e-9));
    if (fr) {
      fmt::print("  faults              {} injected ({}), {} outputs changed, cpu and array {}\n", fr->faults,
                 fr->campaign, fr->changed, fr->engines_agree ? "agree" : "DIFFER");
    }
    if (fr && !fr->by_bit.empty()) {  // output-word flips (the timing model has none to sort by bit)
      fmt::print("  deviation by bit    |y_faulty - y| / sum |x w| per flipped accumulator bit:\n");
      fmt::print("    {:>3}  {:<8}  {:>6}  {:>7}  {:>9}  {:>10}  {:>10}\n", "bit", "field", "faults", "changed",
                 "nonfinite", "median", "max");
      for (const faults::BitDeviation& b : fr->by_bit)
        fmt::print("    {:>3}  {:<8}  {:>6}  {:>7}  {:>9}  {:>10.3g}  {:>10.3g}\n", b.bit, faults::to_string(b.field),
                   b.faults, b.changed, b.nonfinite, b.median_relative, b.max_relative);
    }
  }
  if (mismatches != 0) throw std::runtime_error("array outputs differ from the reference");
  if (fr && !fr->engines_agree) throw std::runtime_error("faulty outputs differ between the cpu and array engines");
}

void run_gemm(const GemmOptions& o) {
  const arch::ArrayConfig cfg = o.array.resolve([&](arch::ArrayConfig& c) { o.memory.apply_scalesim_array(c); });
  const memory::MemoryConfig memory_cfg = o.memory.resolve(o.array.config_path());
  const arch::GemmShape shape{o.m, o.n, o.k};
  shape.validate();
  // The memory system first: a config that cannot serve this array fails before the simulation runs.
  const memory::MemoryReport mem = memory::make_memory_model(memory_cfg)->simulate(cfg, shape);
  const sim::Fidelity fidelity = sim::parse_fidelity(o.fidelity);
  if (fidelity == sim::Fidelity::PE && static_cast<std::int64_t>(cfg.rows) * cfg.cols > 256 * 256)
    throw ConfigError("--fidelity pe: arrays above 256x256 PEs are impractical at PE level; use --fidelity fold");
  if (o.faults.enabled() && cfg.numerics.is_int8())
    throw ConfigError("--ber/--fault-model: saffire gemm injects faults on floating-point PEs (--operand-type "
                      "fp16|bf16|fp8-e4m3|fp8-e5m2); INT8 campaigns run in eval, generate and abft-prob");
  if (!cfg.numerics.is_int8()) {
    if (memory_cfg.model != "ideal")
      throw ConfigError("--memory: the memory models run INT8 arrays only; floating-point PEs take --memory ideal");
    run_numeric_gemm(o, cfg, shape, fidelity);
    return;
  }

  arch::check_memory(models::gemm_buffer_bytes(shape, /*with_reference=*/true), "gemm: the operands, outputs and reference");
  const models::GemmOperands ops = models::random_gemm_operands(shape, o.seed);
  std::vector<std::int32_t> y(static_cast<std::size_t>(shape.m * shape.n));
  sim::ArrayModel model(cfg, fidelity, o.threads, o.kernel);
  const sim::ArrayRunStats stats =
      model.run({shape.m, shape.n, shape.k, ops.x.data(), shape.k, ops.w.data(), shape.n, y.data(), shape.n, false},
                {}, mem);  // each fold waits for its operands as the memory model says

  const models::ReferenceCheck check = models::check_against_reference(ops, y, model.kernel().name(), o.threads);
  const arch::CycleReport& r = stats.report;
  const sim::EnergyPricing pricing{arch::at_voltage(arch::TechTable::for_node(o.node), cfg.v_nominal),
                              o.v.value_or(cfg.v_nominal), memory_cfg};
  const sim::EnergySums energy = sim::gemm_energy_sums(cfg, pricing, shape, {}, mem);
  if (o.json) {
    nlohmann::json j = {{"m", shape.m},
                        {"n", shape.n},
                        {"k", shape.k},
                        {"rows", cfg.rows},
                        {"cols", cfg.cols},
                        {"dataflow", arch::to_string(cfg.dataflow)},
                        {"fidelity", sim::to_string(fidelity)},
                        {"seed", o.seed},
                        {"cycles", r.cycles},
                        {"cycles_convention", "0-based index of the last output cycle (SCALE-Sim)"},
                        {"folds", r.folds},
                        {"cycles_per_fold", r.cycles_per_fold},
                        {"macs", r.macs},
                        {"utilization", r.utilization},
                        {"mapping_efficiency", r.mapping_efficiency},
                        {"verified", check.equal},
                        {"mismatches", check.mismatches},
                        {"reference", check.reference},
                        {"kernel", std::string(model.kernel().name())},
                        {"sim_time_ns", static_cast<double>(stats.sim_time_ps) / 1e3},
                        {"host_seconds", stats.host_seconds},
                        {"memory", memory_cfg.model},
                        {"node", o.node},
                        {"voltage", pricing.v},
                        {"v_nominal", cfg.v_nominal},
                        {"sram_voltage", memory_cfg.sram_supply(cfg.v_nominal)},
                        {"dram_energy", memory_cfg.dram_energy_standard()},
                        {"energy", sim::energy_json(energy)}};
    add_memory_json(j, mem);
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("saffire gemm: Y[{}x{}] = X[{}x{}] * W[{}x{}] on a {}x{} {} array, {} fidelity, seed {}\n", shape.m,
               shape.n, shape.m, shape.k, shape.k, shape.n, cfg.rows, cfg.cols, arch::to_string(cfg.dataflow),
               sim::to_string(fidelity), o.seed);
    fmt::print("  cycles              {} (0-based index of the last output cycle, as SCALE-Sim reports)\n", r.cycles);
    fmt::print("  folds               {} x {} cycles\n", r.folds, r.cycles_per_fold);
    if (memory_cfg.model != "ideal") {
      fmt::print("  memory              {}: {} stall cycles, {} total (0-based)\n", memory_cfg.model, mem.stall_cycles,
                 mem.total_cycles);
      fmt::print("  DRAM words          ifmap {} read, filter {} read, ofmap {} written\n", mem.dram_reads.ifmap,
                 mem.dram_reads.filter, mem.dram_writes.ofmap);
      if (mem.has_dram)
        fmt::print("  DRAM {:<14} {} bytes read, {} written, {:.3g} GB/s achieved, row-buffer hit rate {:.2f} %\n",
                   mem.dram.preset, mem.dram.bytes_read, mem.dram.bytes_written, mem.dram.achieved_gbps,
                   100.0 * mem.dram.row_hit_rate());
      if (mem.has_required)
        fmt::print("  bandwidth needed    ifmap {:.3f} / {}, filter {:.3f} / {}, ofmap {:.3f} / {} words/cycle "
                   "(average / peak)\n",
                   mem.required_ifmap.average, mem.required_ifmap.peak, mem.required_filter.average,
                   mem.required_filter.peak, mem.required_ofmap.average, mem.required_ofmap.peak);
    }
    fmt::print("  MACs                {}\n", r.macs);
    fmt::print("  utilization         {:.2f} %\n", 100.0 * r.utilization);
    fmt::print("  mapping efficiency  {:.2f} %\n", 100.0 * r.mapping_efficiency);
    fmt::print("  energy              {} ({} nm, array at {} V, nominal {} V, SRAM at {} V)\n",
               sim::energy_line(energy, memory_cfg.dram_energy_standard()), o.node, pricing.v, cfg.v_nominal,
               memory_cfg.sram_supply(cfg.v_nominal));
    fmt::print("  verified            {} (bit-exact vs {} reference{})\n", check.equal ? "yes" : "NO", check.reference,
               check.equal ? "" : fmt::format(", {} mismatching outputs", check.mismatches));
    fmt::print("  simulated time      {:.3f} us at {} GHz\n", static_cast<double>(stats.sim_time_ps) / 1e6, cfg.clock_ghz);
    fmt::print("  host time           {:.4f} s ({:.3g} simulated MAC/s)\n", stats.host_seconds,
               static_cast<double>(r.macs) / std::max(stats.host_seconds, 1e-9));
  }
  if (!check.equal) throw std::runtime_error("array outputs differ from the reference");
}

}  // namespace

void add_gemm_command(CLI::App& app) {
  auto opts = std::make_shared<GemmOptions>();
  CLI::App* cmd = app.add_subcommand("gemm", "Run one seeded random GEMM (INT8, or the --operand-type) on the array and verify it");
  opts->array.add_to(*cmd, /*nominal_supply=*/true);
  opts->array.add_numeric_types_to(*cmd);
  opts->memory.add_to(*cmd);
  opts->faults.add_to(*cmd, /*own_voltage=*/false);
  cmd->add_option("--m", opts->m, "rows of X and Y (tokens)")->required();
  cmd->add_option("--n", opts->n, "columns of W and Y (output features)")->required();
  cmd->add_option("--k", opts->k, "reduction dimension")->required();
  cmd->add_option("--seed", opts->seed, "operand seed")->capture_default_str()->check(unsigned_integer());
  cmd->add_option("--fidelity", opts->fidelity, "pe (every PE register every cycle) or fold (one transaction per fold)")
      ->capture_default_str();
  cmd->add_option("--kernel", opts->kernel, "INT8 kernel for the fold math")->capture_default_str()->check(kernel_name());
  cmd->add_option("--threads", opts->threads, "host threads (0 = all)")->capture_default_str()->check(thread_count());
  cmd->add_flag("--json", opts->json, "print one JSON object on stdout");
  cmd->add_option("--node", opts->node, "technology node for the energy figures: 45, 28, 22 or 14 (nm)")
      ->capture_default_str()
      ->check(CLI::IsMember({45, 28, 22, 14}));
  cmd->add_option("--voltage", opts->v,
                  "the array's supply voltage in V for the energy figures (default: the nominal [arch] v_nominal, "
                  "--v-nominal; the SRAM and DRAM keep their own supplies)")
      ->check(finite_above(0, 5));
  cmd->callback([opts] { run_gemm(*opts); });
}

}  // namespace saffire::cli
