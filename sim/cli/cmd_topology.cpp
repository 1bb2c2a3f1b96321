// saffire topology: run a SCALE-Sim-style GEMM list on the array, write COMPUTE_REPORT.csv and an
// HDF5 trace (one row per GEMM, flushed as it completes).
#include <fmt/core.h>
#include <fmt/os.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <tuple>
#include <nlohmann/json.hpp>

#include "abft/detect/detection_policy.hpp"
#include "arch/array_config_file.hpp"
#include "arch/checked_size.hpp"
#include "arch/config_error.hpp"
#include "arch/memory_budget.hpp"
#include "arch/tech/array_cost.hpp"
#include "arch/tech/tech_table.hpp"
#include "arch/timing/voltage_config.hpp"
#include "models/presets/model_presets.hpp"
#include "sim/array_model.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/memory_options.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "sim/memory/memory_reports.hpp"
#include "sim/cli/run_record.hpp"
#include "sim/cli/option_checks.hpp"
#include "models/workload/gemm_operands.hpp"
#include "models/workload/topology_csv.hpp"
#include "traces/trace_writer.hpp"

namespace saffire::cli {
namespace {

struct TopologyOptions {
  ArrayOptions array;
  MemoryOptions memory;
  std::string csv;
  std::string model;  // preset name instead of a CSV
  std::int64_t seq = 128;
  std::string stage = "prefill";
  std::string out_dir = "out/topology";
  std::string fidelity = "auto";
  std::uint64_t seed = 1;
  int threads = 0;
  bool json = false;
  bool no_files = false;        // JSON / stdout only (sweeps run many points at once)
  int node = 14;                // technology node for the energy figures
  std::string scheme = "none";  // detection hardware included in the energy figures
  std::optional<double> v;      // --voltage: the array's supply (default: --config [voltage] v, else [arch] v_nominal)
};

void run_topology(const TopologyOptions& o) {
  const arch::ArrayConfig cfg = o.array.resolve([&](arch::ArrayConfig& c) { o.memory.apply_scalesim_array(c); });
  const memory::MemoryConfig memory_cfg = o.memory.resolve(o.array.config_path());
  const auto memory_model = memory::make_memory_model(memory_cfg);
  const bool ideal_memory = memory_cfg.model == "ideal";
  if (o.csv.empty() == o.model.empty()) throw ConfigError("topology: give either a CSV file or --model NAME, not both");
  std::vector<models::TopologyLayer> layers;
  std::vector<int> layer_of;  // model layer of each GEMM (--model only), for per-layer totals
  if (!o.model.empty()) {
    models::ModelShape shape;
    models::Stage stage;
    try {
        shape = models::model_preset(o.model);
        stage = models::parse_stage(o.stage);
      } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("--model/--stage: ") + e.what());
      }
      if (o.seq < 1) throw ConfigError("--seq: expected a positive integer, got " + std::to_string(o.seq));
      for (const auto& g : models::model_gemms(shape, o.seq, stage)) {
        layers.push_back({g.name, {g.m, g.n, g.k}});
        layer_of.push_back(g.id.layer);
      }
    } else {
      layers = models::read_topology_csv(o.csv);
    }
    // auto: simulate a CSV at fold level; a whole model preset by the formula (full LLMs are large).
    const std::string fidelity_name = o.fidelity == "auto" ? (o.model.empty() ? "fold" : "analytic") : o.fidelity;
    const bool analytic = fidelity_name == "analytic";
    const sim::Fidelity fidelity = analytic ? sim::Fidelity::Fold : sim::parse_fidelity(fidelity_name);

    // The node's table holds at its characterization voltage; energy uses it converted to the run's nominal
    // supply [arch] v_nominal (the trace records it as characterized).
    const arch::TechTable tech_characterized = arch::TechTable::for_node(o.node);
    const arch::TechTable tech = arch::at_voltage(tech_characterized, cfg.v_nominal);
    const auto scheme = abft::make_detection_policy(abft::Scheme::parse(o.scheme, "--abft"));
    // The array's supply, as eval's timing model takes it: --voltage, else [voltage] v of --config, else the
    // nominal; --voltage equal to v_nominal means no underscaling in every command.
    arch::VoltageConfig supply = o.array.config_path().empty() ? arch::voltage_defaults(cfg)
                                                               : arch::load_voltage_config(o.array.config_path(), cfg);
    if (o.v) supply.v = *o.v;
    try {
      supply.validate();
    } catch (const ConfigError& e) {
      throw ConfigError(std::string("--voltage: ") + e.what());
    }
    const double v = supply.v;
    const std::filesystem::path report_path = std::filesystem::path(o.out_dir) / "COMPUTE_REPORT.csv";
    const std::filesystem::path trace_path = std::filesystem::path(o.out_dir) / "trace.h5";
    const std::filesystem::path bandwidth_path = std::filesystem::path(o.out_dir) / "BANDWIDTH_REPORT.csv";
    const std::filesystem::path access_path = std::filesystem::path(o.out_dir) / "DETAILED_ACCESS_REPORT.csv";
    std::optional<traces::TraceWriter> trace;
    std::optional<fmt::ostream> report, bandwidth_report, access_report;
    if (!o.no_files) {
      std::error_code ec;
      std::filesystem::create_directories(o.out_dir, ec);
      if (ec) throw ConfigError(o.out_dir + ": cannot create output directory: " + ec.message());
      if (!o.model.empty()) {
        auto topo = fmt::output_file((std::filesystem::path(o.out_dir) / "topology.csv").string());
        topo.print("{}", models::format_topology_csv(layers));
      }
      traces::RunInfo info;
      info.command = "topology";
      // The array, the workload and how it ran, and the technology and detection hardware of the
      // energy figures.
      info.config_toml =
          arch::to_toml(cfg) +
          fmt::format("\n[topology]\n{} = {}\nseq = {}\nstage = {}\nfidelity = {}\nseed = {}\nthreads = {}\n",
                      o.model.empty() ? "csv" : "model", toml_string(o.model.empty() ? o.csv : o.model), o.seq,
                      toml_string(o.stage), toml_string(fidelity_name),
                      // TOML integers are signed 64-bit: a larger seed is written as a string
                      o.seed <= static_cast<std::uint64_t>(INT64_MAX) ? std::to_string(o.seed)
                                                                       : toml_string(std::to_string(o.seed)),
                      o.threads) +
          fmt::format("\n[energy]\nabft = {}\nvoltage = {}\n\n", toml_string(o.scheme), v) +
          arch::to_toml(tech_characterized) + "\n" + memory::to_toml(memory_cfg);
      info.seed = o.seed;
      info.saffire_version = SAFFIRE_VERSION;
      stamp_run_info(info);
      trace.emplace(trace_path, info);
      report.emplace(fmt::output_file(report_path.string()));
      // The ideal memory keeps the report as it was; a memory model adds its stalls (SCALE-Sim's Total
      // Cycles and Overall Util % include them) in a last column.
      report->print("Layer,M,N,K,Total Cycles,Overall Util %,Mapping Efficiency %,MACs{}\n",
                    ideal_memory ? "" : ",Stall Cycles");
      bandwidth_report.emplace(fmt::output_file(bandwidth_path.string()));
      bandwidth_report->print("{}", memory::bandwidth_report_header());
      access_report.emplace(fmt::output_file(access_path.string()));
      access_report->print("{}", memory::detailed_access_report_header());
    }
    // Energy per GEMM shape (model presets repeat a few shapes many times).
    std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, double> energy_of;
    // The memory system's report per GEMM shape (deterministic, no state between GEMMs).
    std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, memory::MemoryReport> memory_of;
    std::int64_t total_stalls = 0;
    double total_energy = 0;

    sim::ArrayModel model(cfg, fidelity, o.threads);
    std::int64_t total_cycles = 0, total_macs = 0;
    std::vector<std::int64_t> layer_cycles, layer_macs;
    nlohmann::json rows = nlohmann::json::array();
    if (!o.json)
      fmt::print("{:<24} {:>8} {:>8} {:>8} {:>14} {:>8} {:>8}{}\n", "layer", "M", "N", "K", "cycles", "util%", "map%",
                 ideal_memory ? "" : fmt::format(" {:>12} {:>14}", "stalls", "total"));
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const auto& layer = layers[i];
      arch::CycleReport r;
      memory::MemoryReport mem;
      double host_seconds = 0;
      try {
      if (analytic) {
        r = arch::analytical_cycles(cfg, layer.shape);
      } else {
        arch::check_memory(models::gemm_buffer_bytes(layer.shape, /*with_reference=*/false), "the operands and outputs");
        const auto ops = models::random_gemm_operands(layer.shape, o.seed + i);
        std::vector<std::int32_t> y(static_cast<std::size_t>(layer.shape.m * layer.shape.n));
        const auto& s = layer.shape;
        const auto stats = model.run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
        r = stats.report;
        host_seconds = stats.host_seconds;
      }
      auto [mit, mem_fresh] = memory_of.try_emplace({layer.shape.m, layer.shape.n, layer.shape.k});
      if (mem_fresh) mit->second = memory_model->simulate(cfg, layer.shape);
      mem = mit->second;
      total_stalls = arch::checked_add(total_stalls, mem.stall_cycles, "total stall cycles");
      total_cycles = arch::checked_add(total_cycles, mem.total_cycles + 1, "total cycles");
      total_macs = arch::checked_add(total_macs, r.macs, "total MACs");
      if (!layer_of.empty()) {
        const auto l = static_cast<std::size_t>(layer_of[i]);
        if (layer_cycles.size() <= l) layer_cycles.resize(l + 1, 0), layer_macs.resize(l + 1, 0);
        layer_cycles[l] = arch::checked_add(layer_cycles[l], mem.total_cycles + 1, "cycles of the layer");
        layer_macs[l] = arch::checked_add(layer_macs[l], r.macs, "MACs of the layer");
      }
      auto [eit, fresh] = energy_of.try_emplace({layer.shape.m, layer.shape.n, layer.shape.k});
      if (fresh) {
        arch::GemmEnergyInput in;
        in.shape = layer.shape;
        in.detection = scheme->gemm_hardware(cfg, layer.shape);
        in.v = v;
        in.v_nominal = tech.v_nominal;
        eit->second = arch::gemm_energy(cfg, tech, in).total();
      }
      total_energy += eit->second;
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("topology: GEMM '{}' ({} x {} x {}): {}", layer.name, layer.shape.m, layer.shape.n,
                                    layer.shape.k, e.what()));
    }
    if (report) {
      if (ideal_memory) {
        report->print("{},{},{},{},{},{:.4f},{:.4f},{}\n", layer.name, layer.shape.m, layer.shape.n, layer.shape.k,
                      r.cycles, 100.0 * r.utilization, 100.0 * r.mapping_efficiency, r.macs);
      } else {
        const double overall = static_cast<double>(r.macs) /
                               (static_cast<double>(std::max<std::int64_t>(mem.total_cycles, 1)) * cfg.rows * cfg.cols);
        report->print("{},{},{},{},{},{:.4f},{:.4f},{},{}\n", layer.name, layer.shape.m, layer.shape.n, layer.shape.k,
                      mem.total_cycles, 100.0 * overall, 100.0 * r.mapping_efficiency, r.macs, mem.stall_cycles);
      }
      bandwidth_report->print("{}", memory::bandwidth_report_row(static_cast<std::int64_t>(i), mem));
      access_report->print("{}", memory::detailed_access_report_row(static_cast<std::int64_t>(i), mem));
    }
    if (trace)
      trace->append_gemm({layer.name, layer.shape.m, layer.shape.n, layer.shape.k,
                          std::string(arch::to_string(cfg.dataflow)), cfg.rows, cfg.cols, r.cycles, r.macs,
                          r.utilization, r.mapping_efficiency, fidelity_name, host_seconds});
    if (o.json) {
      nlohmann::json row = {{"layer", layer.name}, {"m", layer.shape.m}, {"n", layer.shape.n}, {"k", layer.shape.k},
                            {"cycles", r.cycles}, {"utilization", r.utilization},
                            {"mapping_efficiency", r.mapping_efficiency}, {"macs", r.macs}};
      add_memory_json(row, mem);
      rows.push_back(std::move(row));
    } else {
      fmt::print("{:<24} {:>8} {:>8} {:>8} {:>14} {:>8.2f} {:>8.2f}{}\n", layer.name, layer.shape.m, layer.shape.n,
                 layer.shape.k, r.cycles, 100.0 * r.utilization, 100.0 * r.mapping_efficiency,
                 ideal_memory ? "" : fmt::format(" {:>12} {:>14}", mem.stall_cycles, mem.total_cycles));
    }
  }
  if (report) report->close(), bandwidth_report->close(), access_report->close();
  if (trace) trace->close();
  // Tokens the GEMM list serves: a prefill of --seq tokens, or one decode step.
  const std::int64_t tokens = o.model.empty() ? 1 : (o.stage == "decode" ? 1 : o.seq);
  const double seconds = static_cast<double>(total_cycles) / (cfg.clock_ghz * 1e9);
  const double util = static_cast<double>(total_macs) / (static_cast<double>(total_cycles) * cfg.rows * cfg.cols);
  if (o.json) {
    nlohmann::json j = {{"layers", rows},          {"total_cycles", total_cycles}, {"total_macs", total_macs},
                        {"utilization", util},     {"rows", cfg.rows},             {"cols", cfg.cols},
                        {"dataflow", arch::to_string(cfg.dataflow)},
                        {"total_seconds", seconds},  {"total_energy_pj", total_energy},
                        {"tokens", tokens},          {"seconds_per_token", seconds / static_cast<double>(tokens)},
                        {"energy_per_token_pj", total_energy / static_cast<double>(tokens)},
                        {"node", o.node},            {"abft", o.scheme}, {"voltage", v},
                        {"v_nominal", cfg.v_nominal}, {"clock_ghz", cfg.clock_ghz},
                        {"memory", memory_cfg.model},  {"stall_cycles", total_stalls}};
    if (!o.no_files) {
      j["report"] = report_path.string();
      j["bandwidth_report"] = bandwidth_path.string();
      j["detailed_access_report"] = access_path.string();
      j["trace"] = trace_path.string();
    }
    if (!layer_cycles.empty()) {
      j["model"] = o.model;
      j["seq"] = o.seq;
      j["stage"] = o.stage;
      j["layer_cycles"] = layer_cycles;
      j["layer_macs"] = layer_macs;
    }
    fmt::print("{}\n", j.dump(2));
  } else {
    for (std::size_t l = 0; l < layer_cycles.size(); ++l)
      fmt::print("layer {:>3}: {} cycles, {} MACs, utilization {:.2f} %\n", l, layer_cycles[l], layer_macs[l],
                 100.0 * static_cast<double>(layer_macs[l]) /
                     (static_cast<double>(layer_cycles[l]) * cfg.rows * cfg.cols));
    fmt::print("total: {} cycles (sum of per-layer cycle counts), {} MACs, utilization {:.2f} %\n", total_cycles,
               total_macs, 100.0 * util);
    if (!ideal_memory)
      fmt::print("memory: {}, {} stall cycles included ({:.2f} % of the total)\n", memory_cfg.model, total_stalls,
                 100.0 * static_cast<double>(total_stalls) / static_cast<double>(std::max<std::int64_t>(total_cycles, 1)));
    fmt::print("energy: {:.4g} uJ ({} nm, {} at {} V, nominal {} V, {} GHz), {:.4g} uJ and {:.4g} ms per token\n",
               total_energy / 1e6, o.node, o.scheme, v, cfg.v_nominal, cfg.clock_ghz,
               total_energy / 1e6 / static_cast<double>(tokens), seconds * 1e3 / static_cast<double>(tokens));
    if (!o.no_files) fmt::print("wrote {} and {}\n", report_path.string(), trace_path.string());
    if (!o.no_files && !ideal_memory)
      fmt::print("wrote {} and {}\n", bandwidth_path.string(), access_path.string());
  }
}

}  // namespace

void add_topology_command(CLI::App& app) {
  auto opts = std::make_shared<TopologyOptions>();
  CLI::App* cmd = app.add_subcommand("topology", "Run a GEMM topology CSV (Layer,M,N,K) and write a compute report");
  cmd->add_option("csv", opts->csv, "topology CSV (SCALE-Sim GEMM format: Layer,M,N,K)");
  cmd->add_option("--model", opts->model, "a model preset instead of a CSV: opt-125m, opt-1.3b, opt-6.7b, llama-2-7b, "
                                          "llama-3-8b, stories260k (its GEMM list is written to DIR/topology.csv)");
  cmd->add_option("--seq", opts->seq, "--model: sequence length (prefill tokens, or decode context)")->capture_default_str();
  cmd->add_option("--stage", opts->stage, "--model: prefill or decode")->capture_default_str();
  opts->array.add_to(*cmd, /*nominal_supply=*/true);
  opts->memory.add_to(*cmd);
  cmd->add_option("--out", opts->out_dir, "output directory for COMPUTE_REPORT.csv and trace.h5")->capture_default_str();
  cmd->add_option("--fidelity", opts->fidelity, "fold, pe, analytic (formula only, no operands), or auto (fold for a CSV, analytic for --model)")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "operand seed (layer i uses seed + i)")->capture_default_str()->check(unsigned_integer());
  cmd->add_option("--threads", opts->threads, "host threads (0 = all)")->capture_default_str()->check(thread_count());
  cmd->add_flag("--json", opts->json, "print one JSON object on stdout");
  cmd->add_flag("--no-files", opts->no_files, "write no COMPUTE_REPORT.csv, topology.csv or trace.h5");
  cmd->add_option("--node", opts->node, "technology node for the energy figures: 45, 28, 22 or 14 (nm)")->capture_default_str()->check(CLI::IsMember({45, 28, 22, 14}));
  cmd->add_option("--abft", opts->scheme, "detection hardware included in the energy: none, classic, statistical, ...")
      ->capture_default_str();
  cmd->add_option("--voltage", opts->v,
                  "the array's supply voltage in V for the energy figures (default: [voltage] v of --config, else "
                  "the nominal [arch] v_nominal, --v-nominal; at the nominal no saving)")->check(finite_above(0, 5));
  cmd->callback([opts] { run_topology(*opts); });
}

}  // namespace saffire::cli
