// saffire overhead: area and power of the baseline PE array and the extra area and power of every
// error-detection scheme (none, classic, classic-correct, approxabft, statistical, dmr, thundervolt),
// in absolute units and in % of the baseline; optionally how they scale with the array size, and the
// energy of one GEMM. Each scheme declares its hardware (abft/detect/), arch/tech/ (TechTable,
// array_cost) prices it, abft/detect/overhead_table assembles the tables; this file only prints them.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "abft/detect/detection_policy.hpp"
#include "abft/detect/overhead_table.hpp"
#include "arch/config_error.hpp"
#include "arch/tech/array_cost.hpp"
#include "arch/tech/tech_table.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/commands.hpp"

namespace saffire::cli {
namespace {

struct OverheadOptions {
  ArrayOptions array;
  std::optional<int> node;
  std::string tech_path;
  std::int64_t stream = 2048;
  double pe_data_activity = 1.0;
  bool sweep_sizes = false;
  bool two_sided = false;
  bool detail = false;
  bool json = false;
  std::optional<std::int64_t> m, n, k;
  std::optional<double> v;
};

nlohmann::json items_json(const arch::Cost& c) {
  nlohmann::json arr = nlohmann::json::array();
  for (const arch::CostItem& it : c.items)
    arr.push_back({{"block", it.block},
                   {"what", it.what},
                   {"component", arch::component_key(it.component)},
                   {"count", it.count},
                   {"scale", it.scale},
                   {"ops_per_cycle", it.ops_per_cycle},
                   {"area_um2", it.area_um2},
                   {"dynamic_pj_per_cycle", it.dynamic_pj_per_cycle}});
  return arr;
}

nlohmann::json cost_json(const arch::Cost& c, bool detail) {
  nlohmann::json j = {{"area_um2", c.area_um2},     {"dynamic_pj_per_cycle", c.dynamic_pj_per_cycle},
                      {"dynamic_mw", c.dynamic_mw}, {"leakage_mw", c.leakage_mw},
                      {"power_mw", c.power_mw()},   {"extra_cycles_per_fold", c.extra_cycles_per_fold}};
  if (detail) j["items"] = items_json(c);
  return j;
}

void print_items(const arch::Cost& c) {
  for (const arch::CostItem& it : c.items)
    fmt::print("    {:<34} {:<58} x{:<10g} {:>12.1f} um^2 {:>10.4f} pJ/cycle\n", it.block, it.what, it.count * it.scale,
               it.area_um2, it.dynamic_pj_per_cycle);
}

const abft::SchemeOverhead& classic_of(const abft::OverheadTable& t) {
  const abft::Scheme classic = abft::Scheme::parse("classic");
  for (const abft::SchemeOverhead& r : t.schemes)
    if (r.scheme == classic) return r;
  throw std::logic_error("overhead: no classic row");
}

struct OverheadReport {  // what run_overhead computed, for the printers
  arch::ArrayConfig cfg;
  arch::TechTable tech;
  std::string tech_source;
  arch::FoldActivity act;
  abft::OverheadTable table;
  std::vector<std::pair<int, abft::OverheadTable>> sweep;  // with --sweep-sizes
  std::optional<arch::GemmEnergyInput> energy_input;       // with --m --n --k
  std::vector<std::pair<abft::Scheme, arch::EnergyBreakdown>> energies;
};

void print_json(const OverheadOptions& o, const OverheadReport& r) {
  nlohmann::json out;
  out["command"] = "overhead";
  out["array"] = {{"rows", r.cfg.rows},
                  {"cols", r.cfg.cols},
                  {"dataflow", arch::to_string(r.cfg.dataflow)},
                  {"clock_ghz", r.cfg.clock_ghz},
                  {"os_drain", r.cfg.os_drain}};
  out["tech"] = {{"node_nm", r.tech.node_nm},
                 {"source", r.tech_source},
                 {"v_nominal", r.tech.v_nominal},
                 {"leakage_nw_per_um2", r.tech.leakage_nw_per_um2}};
  out["workload"] = {{"stream", r.act.stream},
                     {"cycles_per_fold", r.act.cycles_per_fold},
                     {"utilization", r.act.utilization},
                     {"pe_data_activity", o.pe_data_activity}};
  out["two_sided"] = o.two_sided;
  out["baseline"] = cost_json(r.table.baseline, o.detail);
  nlohmann::json schemes = nlohmann::json::array();
  for (const abft::SchemeOverhead& s : r.table.schemes) {
    nlohmann::json j = cost_json(s.cost, o.detail);
    j["scheme"] = abft::to_string(s.scheme);
    j["area_pct"] = s.area_pct;
    j["power_pct"] = s.power_pct;
    schemes.push_back(std::move(j));
  }
  out["schemes"] = std::move(schemes);
  if (o.sweep_sizes) {
    nlohmann::json sw = nlohmann::json::array();
    for (const auto& [n, t] : r.sweep) {
      nlohmann::json pct = nlohmann::json::object();
      for (const abft::SchemeOverhead& s : t.schemes)
        pct[std::string(abft::to_string(s.scheme))] = {{"area_pct", s.area_pct}, {"power_pct", s.power_pct}};
      sw.push_back({{"n", n}, {"schemes", pct}});
    }
    out["sweep"] = std::move(sw);
  }
  if (r.energy_input) {
    const arch::GemmEnergyInput& ein = *r.energy_input;
    nlohmann::json en = nlohmann::json::array();
    for (const auto& [s, e] : r.energies)
      en.push_back({{"scheme", abft::to_string(s)},
                    {"mac_pj", e.mac},
                    {"array_registers_pj", e.array_registers},
                    {"sram_pj", e.sram},
                    {"leakage_pj", e.leakage},
                    {"detection_pj", e.detection},
                    {"recovery_pj", e.recovery},
                    {"total_pj", e.total()},
                    {"cycles", e.cycles},
                    {"folds", e.folds},
                    {"sram_bytes_read", e.traffic.bytes_read()},
                    {"sram_bytes_written", e.traffic.bytes_written()}});
    out["gemm_energy"] = {{"m", ein.shape.m}, {"n", ein.shape.n},         {"k", ein.shape.k},
                          {"v", ein.v},       {"macs", ein.shape.macs()}, {"schemes", std::move(en)}};
  }
  fmt::print("{}\n", out.dump());
}

void print_tables(const OverheadOptions& o, const OverheadReport& r) {
  const arch::ArrayConfig& cfg = r.cfg;
  const arch::Cost& base = r.table.baseline;
  fmt::print("saffire overhead: {} {}x{}, {} nm ({}), {:g} GHz\n", arch::to_string(cfg.dataflow), cfg.rows, cfg.cols,
             r.tech.node_nm, r.tech_source, cfg.clock_ghz);
  fmt::print(
      "activity: a fold streams S = {} values in P = {} cycles (PE utilization {:.1f} %), registers clocked every "
      "cycle, PE data activity {:g}\n",
      r.act.stream, r.act.cycles_per_fold, 100.0 * r.act.utilization, o.pe_data_activity);
  fmt::print("checksums: {}\n", o.two_sided ? "row and column (--two-sided) for classic, approxabft and statistical"
                                            : "row checksums only, except classic-correct (row and column)");
  fmt::print("baseline: area {:.4f} mm^2 ({:.1f} um^2 per PE), power {:.2f} mW (dynamic {:.2f} + leakage {:.2f})\n",
             base.area_um2 * 1e-6, base.area_um2 / (static_cast<double>(cfg.rows) * cfg.cols), base.power_mw(),
             base.dynamic_mw, base.leakage_mw);
  if (o.detail) print_items(base);
  fmt::print("\n{:<16} {:>14} {:>9} {:>12} {:>9}  {}\n", "scheme", "+area um^2", "+area %", "+power mW", "+power %",
             "extra cycles/fold");
  for (const abft::SchemeOverhead& s : r.table.schemes) {
    fmt::print("{:<16} {:>14.1f} {:>8.3f}% {:>12.4f} {:>8.3f}%  {}\n", abft::to_string(s.scheme), s.cost.area_um2,
               s.area_pct, s.cost.power_mw(), s.power_pct, s.cost.extra_cycles_per_fold);
    if (o.detail) print_items(s.cost);
  }
  if (o.sweep_sizes) {
    fmt::print("\noverhead vs array size ({} n x n, +area % / +power %; classic x n/100 tends to a constant ~2/n):\n",
               arch::to_string(cfg.dataflow));
    fmt::print("{:>5}", "n");
    for (abft::Scheme s : abft::all_schemes())
      if (s != abft::Scheme{}) fmt::print(" {:>17}", abft::to_string(s));
    fmt::print(" {:>14}\n", "classic*n/100");
    for (const auto& [n, t] : r.sweep) {
      fmt::print("{:>5}", n);
      for (const abft::SchemeOverhead& s : t.schemes)
        if (s.scheme != abft::Scheme{}) fmt::print(" {:>17}", fmt::format("{:.3f}/{:.3f}", s.area_pct, s.power_pct));
      fmt::print(" {:>14.3f}\n", classic_of(t).area_pct * n / 100.0);
    }
  }
  if (r.energy_input) {
    const arch::GemmEnergyInput& ein = *r.energy_input;
    fmt::print("\nenergy of one GEMM M={} N={} K={} ({} MACs) at V = {:g} V (Vnom {:g} V), pJ:\n", ein.shape.m,
               ein.shape.n, ein.shape.k, ein.shape.macs(), ein.v, r.tech.v_nominal);
    fmt::print("{:<16} {:>13} {:>13} {:>13} {:>11} {:>12} {:>13} {:>11}\n", "scheme", "MAC", "registers", "SRAM",
               "leakage", "detection", "total", "pJ/MAC");
    for (const auto& [s, e] : r.energies)
      fmt::print("{:<16} {:>13.4g} {:>13.4g} {:>13.4g} {:>11.4g} {:>12.4g} {:>13.4g} {:>11.4f}\n", abft::to_string(s),
                 e.mac, e.array_registers, e.sram, e.leakage, e.detection, e.total(),
                 e.total() / static_cast<double>(e.macs));
  }
}

void run_overhead(const OverheadOptions& o) {
  OverheadReport r;
  r.cfg = o.array.resolve();
  if (o.node && !o.tech_path.empty()) throw ConfigError("overhead: give --node or --tech, not both");
  if (!o.tech_path.empty()) {
    r.tech = arch::load_tech_table(o.tech_path);
    r.tech_source = o.tech_path;
  } else {
    const int node = o.node.value_or(45);
    try {
      r.tech = arch::TechTable::for_node(node);
    } catch (const ConfigError& e) {
      throw ConfigError(std::string("--node: ") + e.what());
    }
    r.tech_source = node == 45 ? "Horowitz ISSCC 2014, 45 nm" : "Horowitz 45 nm scaled (arch/tech/README.md)";
  }
  if (o.stream < 1 || o.stream > (std::int64_t{1} << 30))
    throw ConfigError("overhead: --stream must be in [1, 2^30], got " + std::to_string(o.stream));
  if (!(o.pe_data_activity > 0) || o.pe_data_activity > 1)
    throw ConfigError("overhead: --pe-data-activity must be in (0, 1], got " + fmt::format("{:g}", o.pe_data_activity));
  const arch::Workload load{o.stream, o.pe_data_activity};
  const abft::HardwareOptions sopt{o.two_sided};
  r.act = arch::fold_activity(r.cfg, o.stream);
  r.table = abft::overhead_table(r.cfg, r.tech, load, sopt);
  if (o.sweep_sizes) r.sweep = abft::overhead_vs_size(r.cfg, {32, 64, 128, 256}, r.tech, load, sopt);

  const bool energy = o.m || o.n || o.k;  // the energy of one GEMM (optional)
  if (energy && !(o.m && o.n && o.k)) throw ConfigError("overhead: the GEMM energy needs all of --m, --n and --k");
  if (energy) {
    arch::GemmEnergyInput ein;
    ein.shape = {*o.m, *o.n, *o.k};
    try {
      ein.shape.validate();
    } catch (const ConfigError& e) {
      throw ConfigError(std::string("overhead: ") + e.what());
    }
    ein.v_nominal = r.tech.v_nominal;
    ein.v = o.v.value_or(r.tech.v_nominal);
    if (!(ein.v > 0) || ein.v > 2 * r.tech.v_nominal)
      throw ConfigError("overhead: --v must be in (0, 2 * v_nominal], got " + fmt::format("{:g}", ein.v));
    ein.pe_data_activity = o.pe_data_activity;
    r.energies = abft::scheme_gemm_energies(r.cfg, r.tech, ein, sopt);
    r.energy_input = ein;
  }
  if (o.json)
    print_json(o, r);
  else
    print_tables(o, r);
}

}  // namespace

void add_overhead_command(CLI::App& app) {
  auto opts = std::make_shared<OverheadOptions>();
  CLI::App* cmd = app.add_subcommand(
      "overhead", "Area and power of the PE array and of each ABFT / detection scheme's extra hardware");
  opts->array.add_to(*cmd);
  cmd->add_option("--node", opts->node, "Technology node: 45 (default), 28, 22 or 14 nm");
  cmd->add_option("--tech", opts->tech_path, "TOML file with a [tech] table (see arch/tech/README.md)");
  cmd->add_option("--stream", opts->stream, "Streamed length of the representative fold (WS: M, OS: K)")
      ->capture_default_str();
  cmd->add_option("--pe-data-activity", opts->pe_data_activity,
                  "What-if: switching of the baseline PE multipliers/adders relative to random data, (0, 1]")
      ->capture_default_str();
  cmd->add_flag("--sweep-sizes", opts->sweep_sizes, "Also print the overheads of n x n arrays, n = 32..256");
  cmd->add_flag("--two-sided", opts->two_sided,
                "classic, approxabft, statistical: also build the column checksums (as classic-correct does)");
  cmd->add_flag("--detail", opts->detail, "Print (or put in the JSON) every line of the bills of materials");
  cmd->add_option("--m", opts->m, "GEMM energy: rows of X and Y");
  cmd->add_option("--n", opts->n, "GEMM energy: columns of W and Y");
  cmd->add_option("--k", opts->k, "GEMM energy: reduction dimension");
  cmd->add_option("--v", opts->v, "GEMM energy: supply voltage (default: the node's nominal)");
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of the tables");
  cmd->callback([opts] { run_overhead(*opts); });
}

}  // namespace saffire::cli
