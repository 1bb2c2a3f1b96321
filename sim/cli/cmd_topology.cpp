// saffire topology: run a SCALE-Sim-style GEMM list on the array, write COMPUTE_REPORT.csv and an
// HDF5 trace (one row per GEMM, flushed as it completes).
#include <fmt/core.h>
#include <fmt/os.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <nlohmann/json.hpp>

#include "abft/detect/detection_policy.hpp"
#include "arch/array_config_file.hpp"
#include "arch/config_error.hpp"
#include "arch/tech/tech_table.hpp"
#include "arch/timing/voltage_config.hpp"
#include "models/presets/hf_model_shape.hpp"
#include "models/presets/model_presets.hpp"
#include "sim/array_model.hpp"
#include "sim/memory_trace_record.hpp"
#include "sim/topology_run.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/memory_options.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "sim/memory/memory_reports.hpp"
#include "sim/cli/run_record.hpp"
#include "sim/cli/option_checks.hpp"
#include "models/workload/topology_csv.hpp"
#include "traces/trace_writer.hpp"

namespace saffire::cli {
namespace {

struct TopologyOptions {
  ArrayOptions array;
  MemoryOptions memory;
  std::string csv;
  std::string model;         // preset name instead of a CSV
  std::string model_config;  // or a Hugging Face config.json
  // A model's GEMM list (--model or --model-config) rather than a CSV.
  bool shaped_model() const { return !model.empty() || !model_config.empty(); }
  std::string model_label() const { return model.empty() ? model_config : model; }
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

struct Workload {
  std::vector<models::TopologyLayer> layers;
  std::vector<int> layer_of;  // model layer of each GEMM (--model/--model-config only), for per-layer totals
};

Workload load_workload(const TopologyOptions& o) {
  const int sources = !o.csv.empty() + !o.model.empty() + !o.model_config.empty();
  if (sources != 1)
    throw ConfigError("topology: give exactly one of a CSV file, --model NAME or --model-config config.json");
  Workload w;
  if (!o.shaped_model()) {
    w.layers = models::read_topology_csv(o.csv);
    return w;
  }
  models::ModelShape shape;
  models::Stage stage;
  try {
    shape = o.model.empty() ? models::shape_from_hf_config(o.model_config) : models::model_preset(o.model);
    stage = models::parse_stage(o.stage);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("--model/--stage: ") + e.what());
  }
  if (o.seq < 1) throw ConfigError("--seq: expected a positive integer, got " + std::to_string(o.seq));
  for (const auto& g : models::model_gemms(shape, o.seq, stage)) {
    w.layers.push_back({g.name, {g.m, g.n, g.k}});
    w.layer_of.push_back(g.id.layer);
  }
  return w;
}

// The array's supply, as eval's timing model takes it: --voltage, else [voltage] v of --config, else the
// nominal; --voltage equal to v_nominal means no underscaling in every command.
double array_supply(const TopologyOptions& o, const arch::ArrayConfig& cfg) {
  arch::VoltageConfig supply = o.array.config_path().empty() ? arch::voltage_defaults(cfg)
                                                             : arch::load_voltage_config(o.array.config_path(), cfg);
  if (o.v) supply.v = *o.v;
  try {
    supply.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--voltage: ") + e.what());
  }
  return supply.v;
}

// What run_topology resolved, for the files and the printers.
struct Resolved {
  const TopologyOptions& o;
  arch::ArrayConfig cfg;
  memory::MemoryConfig memory;
  std::string fidelity_name;
  double v = 0;
  bool ideal_memory() const { return memory.model == "ideal"; }
  std::filesystem::path out(const char* name) const { return std::filesystem::path(o.out_dir) / name; }
};

// COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv, DETAILED_ACCESS_REPORT.csv and trace.h5, written GEMM by GEMM.
struct OutputFiles {
  std::optional<traces::TraceWriter> trace;
  std::optional<fmt::ostream> report, bandwidth, access;

  OutputFiles(const Resolved& r, const Workload& w, const arch::TechTable& tech_characterized) {
    const TopologyOptions& o = r.o;
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    if (ec) throw ConfigError(o.out_dir + ": cannot create output directory: " + ec.message());
    if (o.shaped_model()) fmt::output_file(r.out("topology.csv").string()).print("{}", models::format_topology_csv(w.layers));
    traces::RunInfo info;
    info.command = "topology";
    // The array, the workload and how it ran, and the technology and detection hardware of the energy figures.
    info.config_toml =
        arch::to_toml(r.cfg) +
        fmt::format("\n[topology]\n{} = {}\nseq = {}\nstage = {}\nfidelity = {}\nseed = {}\nthreads = {}\n",
                    !o.model.empty() ? "model" : !o.model_config.empty() ? "model_config" : "csv",
                    toml_string(o.shaped_model() ? o.model_label() : o.csv), o.seq,
                    toml_string(o.stage), toml_string(r.fidelity_name),
                    // TOML integers are signed 64-bit: a larger seed is written as a string
                    o.seed <= static_cast<std::uint64_t>(INT64_MAX) ? std::to_string(o.seed)
                                                                     : toml_string(std::to_string(o.seed)),
                    o.threads) +
        fmt::format("\n[energy]\nabft = {}\nvoltage = {}\n\n", toml_string(o.scheme), r.v) +
        arch::to_toml(tech_characterized) + "\n" + memory::to_toml(r.memory);
    info.seed = o.seed;
    info.saffire_version = SAFFIRE_VERSION;
    stamp_run_info(info);
    trace.emplace(r.out("trace.h5"), info);
    report.emplace(fmt::output_file(r.out("COMPUTE_REPORT.csv").string()));
    // The ideal memory keeps the report as it was; a memory model adds its stalls (SCALE-Sim's Total
    // Cycles and Overall Util % include them) in a last column.
    report->print("Layer,M,N,K,Total Cycles,Overall Util %,Mapping Efficiency %,MACs{}\n",
                  r.ideal_memory() ? "" : ",Stall Cycles");
    bandwidth.emplace(fmt::output_file(r.out("BANDWIDTH_REPORT.csv").string()));
    bandwidth->print("{}", memory::bandwidth_report_header(r.memory.model == "dram"));
    access.emplace(fmt::output_file(r.out("DETAILED_ACCESS_REPORT.csv").string()));
    access->print("{}", memory::detailed_access_report_header());
  }

  void write(const Resolved& r, std::size_t i, const models::TopologyLayer& layer, const sim::TopologyGemm& g) {
    const auto& c = g.compute;
    const auto& mem = g.memory;
    const auto& s = layer.shape;
    if (r.ideal_memory()) {
      report->print("{},{},{},{},{},{:.4f},{:.4f},{}\n", layer.name, s.m, s.n, s.k, c.cycles, 100.0 * c.utilization,
                    100.0 * c.mapping_efficiency, c.macs);
    } else {
      const double overall = static_cast<double>(c.macs) /
                             (static_cast<double>(std::max<std::int64_t>(mem.total_cycles, 1)) * r.cfg.rows * r.cfg.cols);
      report->print("{},{},{},{},{},{:.4f},{:.4f},{},{}\n", layer.name, s.m, s.n, s.k, mem.total_cycles,
                    100.0 * overall, 100.0 * c.mapping_efficiency, c.macs, mem.stall_cycles);
    }
    bandwidth->print("{}", memory::bandwidth_report_row(static_cast<std::int64_t>(i), mem));
    access->print("{}", memory::detailed_access_report_row(static_cast<std::int64_t>(i), mem));
    trace->append_gemm({layer.name, s.m, s.n, s.k, std::string(arch::to_string(r.cfg.dataflow)), r.cfg.rows,
                        r.cfg.cols, c.cycles, c.macs, c.utilization, c.mapping_efficiency, r.fidelity_name,
                        g.host_seconds});
    trace->append_memory({sim::memory_trace_record(layer.name, r.memory.model, mem, g.energy.sram, g.energy.dram)});
  }

  void close() {
    report->close(), bandwidth->close(), access->close();
    trace->close();
  }
};

void print_header(const Resolved& r) {
  fmt::print("{:<24} {:>8} {:>8} {:>8} {:>14} {:>8} {:>8}{}\n", "layer", "M", "N", "K", "cycles", "util%", "map%",
             r.ideal_memory() ? "" : fmt::format(" {:>12} {:>14}", "stalls", "total"));
}

void print_row(const Resolved& r, const models::TopologyLayer& layer, const sim::TopologyGemm& g) {
  const auto& c = g.compute;
  fmt::print("{:<24} {:>8} {:>8} {:>8} {:>14} {:>8.2f} {:>8.2f}{}\n", layer.name, layer.shape.m, layer.shape.n,
             layer.shape.k, c.cycles, 100.0 * c.utilization, 100.0 * c.mapping_efficiency,
             r.ideal_memory() ? "" : fmt::format(" {:>12} {:>14}", g.memory.stall_cycles, g.memory.total_cycles));
}

nlohmann::json json_row(const models::TopologyLayer& layer, const sim::TopologyGemm& g) {
  const auto& c = g.compute;
  nlohmann::json row = {{"layer", layer.name}, {"m", layer.shape.m}, {"n", layer.shape.n}, {"k", layer.shape.k},
                        {"cycles", c.cycles}, {"utilization", c.utilization},
                        {"mapping_efficiency", c.mapping_efficiency}, {"macs", c.macs}};
  add_memory_json(row, g.memory);
  row["energy"] = sim::energy_json(g.energy);
  return row;
}

// Tokens the GEMM list serves: a prefill of --seq tokens, or one decode step.
std::int64_t tokens_served(const TopologyOptions& o) { return !o.shaped_model() ? 1 : (o.stage == "decode" ? 1 : o.seq); }

void print_json(const Resolved& r, const sim::TopologyTotals& t, nlohmann::json rows) {
  const TopologyOptions& o = r.o;
  const auto tokens = static_cast<double>(tokens_served(o));
  const double seconds = static_cast<double>(t.cycles) / (r.cfg.clock_ghz * 1e9);
  const double util = static_cast<double>(t.macs) / (static_cast<double>(t.cycles) * r.cfg.rows * r.cfg.cols);
  nlohmann::json j = {{"layers", std::move(rows)},  {"total_cycles", t.cycles}, {"total_macs", t.macs},
                      {"utilization", util},        {"rows", r.cfg.rows},       {"cols", r.cfg.cols},
                      {"dataflow", arch::to_string(r.cfg.dataflow)},
                      {"total_seconds", seconds},   {"total_energy_pj", t.energy_pj},
                      {"tokens", tokens_served(o)}, {"seconds_per_token", seconds / tokens},
                      {"energy_per_token_pj", t.energy_pj / tokens},
                      {"energy", sim::energy_json(t.energy)},
                      {"sram_voltage", r.memory.sram_supply(r.cfg.v_nominal)},
                      {"dram_energy", r.memory.dram_energy_standard()},
                      {"node", o.node},             {"abft", o.scheme}, {"voltage", r.v},
                      {"v_nominal", r.cfg.v_nominal}, {"clock_ghz", r.cfg.clock_ghz},
                      {"memory", r.memory.model},   {"stall_cycles", t.stall_cycles}};
  if (t.dram.requests > 0) j["dram"] = dram_json(t.dram);
  if (!o.no_files) {
    j["report"] = r.out("COMPUTE_REPORT.csv").string();
    j["bandwidth_report"] = r.out("BANDWIDTH_REPORT.csv").string();
    j["detailed_access_report"] = r.out("DETAILED_ACCESS_REPORT.csv").string();
    j["trace"] = r.out("trace.h5").string();
  }
  if (!t.layer_cycles.empty()) {
    j["model"] = o.model_label();
    j["seq"] = o.seq;
    j["stage"] = o.stage;
    j["layer_cycles"] = t.layer_cycles;
    j["layer_macs"] = t.layer_macs;
  }
  fmt::print("{}\n", j.dump(2));
}

void print_summary(const Resolved& r, const sim::TopologyTotals& t) {
  const TopologyOptions& o = r.o;
  const auto tokens = static_cast<double>(tokens_served(o));
  const double seconds = static_cast<double>(t.cycles) / (r.cfg.clock_ghz * 1e9);
  const double pes = static_cast<double>(r.cfg.rows) * r.cfg.cols;
  for (std::size_t l = 0; l < t.layer_cycles.size(); ++l)
    fmt::print("layer {:>3}: {} cycles, {} MACs, utilization {:.2f} %\n", l, t.layer_cycles[l], t.layer_macs[l],
               100.0 * static_cast<double>(t.layer_macs[l]) / (static_cast<double>(t.layer_cycles[l]) * pes));
  fmt::print("total: {} cycles (sum of per-layer cycle counts), {} MACs, utilization {:.2f} %\n", t.cycles, t.macs,
             100.0 * static_cast<double>(t.macs) / (static_cast<double>(t.cycles) * pes));
  if (!r.ideal_memory())
    fmt::print("memory: {}, {} stall cycles included ({:.2f} % of the total)\n", r.memory.model, t.stall_cycles,
               100.0 * static_cast<double>(t.stall_cycles) / static_cast<double>(std::max<std::int64_t>(t.cycles, 1)));
  if (t.dram.requests > 0)
    fmt::print("DRAM: {}, {:.4g} MB read, {:.4g} MB written, {:.4g} GB/s over the run, row-buffer hit rate {:.2f} %\n",
               t.dram.preset, static_cast<double>(t.dram.bytes_read) / 1e6, static_cast<double>(t.dram.bytes_written) / 1e6,
               t.dram.achieved_gbps, 100.0 * t.dram.row_hit_rate());
  fmt::print("energy: {:.4g} uJ ({} nm, {} at {} V, nominal {} V, SRAM at {} V, {} GHz), {:.4g} uJ and {:.4g} ms per "
             "token\n",
             t.energy_pj / 1e6, o.node, o.scheme, r.v, r.cfg.v_nominal, r.memory.sram_supply(r.cfg.v_nominal),
             r.cfg.clock_ghz, t.energy_pj / 1e6 / tokens, seconds * 1e3 / tokens);
  fmt::print("energy: {}\n", sim::energy_line(t.energy, r.memory.dram_energy_standard()));
  if (!o.no_files) fmt::print("wrote {} and {}\n", r.out("COMPUTE_REPORT.csv").string(), r.out("trace.h5").string());
  if (!o.no_files && !r.ideal_memory())
    fmt::print("wrote {} and {}\n", r.out("BANDWIDTH_REPORT.csv").string(), r.out("DETAILED_ACCESS_REPORT.csv").string());
}

void run_topology(const TopologyOptions& o) {
  Resolved r{o, o.array.resolve([&](arch::ArrayConfig& c) { o.memory.apply_scalesim_array(c); }),
             o.memory.resolve(o.array.config_path()), "", 0};
  sim::TopologyRunConfig run;
  run.memory = memory::make_memory_model(r.memory);
  run.memory_config = r.memory;
  const Workload w = load_workload(o);
  // auto: simulate a CSV at fold level; a whole model preset by the formula (full LLMs are large).
  r.fidelity_name = o.fidelity == "auto" ? (o.shaped_model() ? "analytic" : "fold") : o.fidelity;
  run.array = r.cfg;
  run.analytic = r.fidelity_name == "analytic";
  run.fidelity = run.analytic ? sim::Fidelity::Fold : sim::parse_fidelity(r.fidelity_name);
  run.threads = o.threads;
  run.seed = o.seed;
  // The node's table holds at its characterization voltage; energy uses it converted to the run's nominal
  // supply [arch] v_nominal (the trace records it as characterized).
  const arch::TechTable tech_characterized = arch::TechTable::for_node(o.node);
  run.tech = arch::at_voltage(tech_characterized, r.cfg.v_nominal);
  run.detection = abft::make_detection_policy(abft::Scheme::parse(o.scheme, "--abft"));
  run.v = r.v = array_supply(o, r.cfg);

  std::optional<OutputFiles> files;
  if (!o.no_files) files.emplace(r, w, tech_characterized);
  nlohmann::json rows = nlohmann::json::array();
  if (!o.json) print_header(r);
  const sim::TopologyTotals totals = sim::run_topology(run, w.layers, w.layer_of, [&](std::size_t i, const sim::TopologyGemm& g) {
    if (files) files->write(r, i, w.layers[i], g);
    if (o.json)
      rows.push_back(json_row(w.layers[i], g));
    else
      print_row(r, w.layers[i], g);
  });
  if (files) files->close();
  if (o.json)
    print_json(r, totals, std::move(rows));
  else
    print_summary(r, totals);
}

}  // namespace

void add_topology_command(CLI::App& app) {
  auto opts = std::make_shared<TopologyOptions>();
  CLI::App* cmd = app.add_subcommand("topology", "Run a SCALE-Sim topology CSV (GEMMs or convolutions) and write a compute report");
  cmd->add_option("csv", opts->csv, "topology CSV: SCALE-Sim's GEMM format (Layer,M,N,K) or its convolution format "
                                    "(Layer name, IFMAP Height, ..., Strides), told by the header");
  cmd->add_option("--model", opts->model, "a model preset instead of a CSV: opt-125m, opt-1.3b, opt-6.7b, llama-2-7b, "
                                          "llama-3-8b, stories260k (its GEMM list is written to DIR/topology.csv)");
  cmd->add_option("--model-config", opts->model_config,
                  "a Hugging Face config.json instead of a CSV (llama, mistral, qwen2, opt, gpt2): its GEMM shapes");
  cmd->add_option("--seq", opts->seq, "--model/--model-config: sequence length (prefill tokens, or decode context)")->capture_default_str();
  cmd->add_option("--stage", opts->stage, "--model/--model-config: prefill or decode")->capture_default_str();
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
