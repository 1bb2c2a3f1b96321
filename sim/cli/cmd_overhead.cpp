// saffire overhead: area and power of the baseline PE array and the extra area and power of every
// error-detection scheme (none, classic, classic-correct, approxabft, statistical, dmr, thundervolt),
// in absolute units and in % of the baseline; optionally how they scale with the array size, and the
// energy of one GEMM. Each scheme declares its hardware (abft/detect/), arch/tech/ (TechTable,
// array_cost) prices it; this file only prints it.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "abft/detect/detection_policy.hpp"
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

struct Row {
  abft::Scheme scheme;
  arch::Cost cost;
  double area_pct = 0, power_pct = 0;
};

std::vector<Row> schemes_for(const arch::ArrayConfig& cfg, const arch::TechTable& tech, const arch::Workload& load,
                             const abft::HardwareOptions& opt, const arch::Cost& base) {
  std::vector<Row> rows;
  for (abft::Scheme s : abft::all_schemes()) {
    Row r{s, abft::scheme_cost(s, cfg, tech, load, opt)};
    r.area_pct = 100.0 * r.cost.area_um2 / base.area_um2;
    r.power_pct = 100.0 * r.cost.power_mw() / base.power_mw();
    rows.push_back(std::move(r));
  }
  return rows;
}

const Row& classic_of(const std::vector<Row>& rows) {
  const abft::Scheme classic = abft::Scheme::parse("classic");
  for (const Row& r : rows)
    if (r.scheme == classic) return r;
  throw std::logic_error("overhead: no classic row");
}

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

void run_overhead(const OverheadOptions& o) {
  const arch::ArrayConfig cfg = o.array.resolve();
  if (o.node && !o.tech_path.empty()) throw ConfigError("overhead: give --node or --tech, not both");
  arch::TechTable tech;
  std::string tech_source;
  if (!o.tech_path.empty()) {
    tech = arch::load_tech_table(o.tech_path);
    tech_source = o.tech_path;
  } else {
    const int node = o.node.value_or(45);
    try {
      tech = arch::TechTable::for_node(node);
    } catch (const ConfigError& e) {
      throw ConfigError(std::string("--node: ") + e.what());
    }
    tech_source = node == 45 ? "Horowitz ISSCC 2014, 45 nm" : "Horowitz 45 nm scaled (arch/tech/README.md)";
  }
  if (o.stream < 1 || o.stream > (std::int64_t{1} << 30))
    throw ConfigError("overhead: --stream must be in [1, 2^30], got " + std::to_string(o.stream));
  if (!(o.pe_data_activity > 0) || o.pe_data_activity > 1)
    throw ConfigError("overhead: --pe-data-activity must be in (0, 1], got " + fmt::format("{:g}", o.pe_data_activity));
  const arch::Workload load{o.stream, o.pe_data_activity};
  const arch::FoldActivity act = arch::fold_activity(cfg, o.stream);
  const arch::Cost base = arch::baseline_cost(cfg, tech, load);
  const abft::HardwareOptions sopt{o.two_sided};
  const std::vector<Row> rows = schemes_for(cfg, tech, load, sopt, base);

  // Size sweep: square arrays of the same dataflow and technology.
  const std::vector<int> sizes = {32, 64, 128, 256};
  struct SweepRow {
    int n;
    std::vector<Row> rows;
  };
  std::vector<SweepRow> sweep;
  if (o.sweep_sizes) {
    for (int n : sizes) {
      arch::ArrayConfig c = cfg;
      c.rows = c.cols = n;
      const arch::Cost b = arch::baseline_cost(c, tech, load);
      sweep.push_back({n, schemes_for(c, tech, load, sopt, b)});
    }
  }

  // Energy of one GEMM (optional).
  const bool energy = o.m || o.n || o.k;
  if (energy && !(o.m && o.n && o.k)) throw ConfigError("overhead: the GEMM energy needs all of --m, --n and --k");
  arch::GemmEnergyInput ein;
  std::vector<std::pair<abft::Scheme, arch::EnergyBreakdown>> energies;
  if (energy) {
    ein.shape = {*o.m, *o.n, *o.k};
    try {
      ein.shape.validate();
    } catch (const ConfigError& e) {
      throw ConfigError(std::string("overhead: ") + e.what());
    }
    ein.v_nominal = tech.v_nominal;
    ein.v = o.v.value_or(tech.v_nominal);
    if (!(ein.v > 0) || ein.v > 2 * tech.v_nominal)
      throw ConfigError("overhead: --v must be in (0, 2 * v_nominal], got " + fmt::format("{:g}", ein.v));
    ein.pe_data_activity = o.pe_data_activity;
    for (abft::Scheme s : abft::all_schemes()) {
      ein.detection = abft::make_detection_policy(s)->gemm_hardware(cfg, ein.shape, ein.pe_data_activity, sopt);
      energies.emplace_back(s, arch::gemm_energy(cfg, tech, ein));
    }
  }

  if (o.json) {
    nlohmann::json out;
    out["command"] = "overhead";
    out["array"] = {{"rows", cfg.rows},
                    {"cols", cfg.cols},
                    {"dataflow", arch::to_string(cfg.dataflow)},
                    {"clock_ghz", cfg.clock_ghz},
                    {"os_drain", cfg.os_drain}};
    out["tech"] = {{"node_nm", tech.node_nm},
                   {"source", tech_source},
                   {"v_nominal", tech.v_nominal},
                   {"leakage_nw_per_um2", tech.leakage_nw_per_um2}};
    out["workload"] = {{"stream", act.stream},
                       {"cycles_per_fold", act.cycles_per_fold},
                       {"utilization", act.utilization},
                       {"pe_data_activity", o.pe_data_activity}};
    out["two_sided"] = o.two_sided;
    out["baseline"] = cost_json(base, o.detail);
    nlohmann::json schemes = nlohmann::json::array();
    for (const Row& r : rows) {
      nlohmann::json j = cost_json(r.cost, o.detail);
      j["scheme"] = abft::to_string(r.scheme);
      j["area_pct"] = r.area_pct;
      j["power_pct"] = r.power_pct;
      schemes.push_back(std::move(j));
    }
    out["schemes"] = std::move(schemes);
    if (o.sweep_sizes) {
      nlohmann::json sw = nlohmann::json::array();
      for (const SweepRow& s : sweep) {
        nlohmann::json pct = nlohmann::json::object();
        for (const Row& r : s.rows)
          pct[std::string(abft::to_string(r.scheme))] = {{"area_pct", r.area_pct}, {"power_pct", r.power_pct}};
        sw.push_back({{"n", s.n}, {"schemes", pct}});
      }
      out["sweep"] = std::move(sw);
    }
    if (energy) {
      nlohmann::json en = nlohmann::json::array();
      for (const auto& [s, e] : energies)
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
    return;
  }

  fmt::print("saffire overhead: {} {}x{}, {} nm ({}), {:g} GHz\n", arch::to_string(cfg.dataflow), cfg.rows, cfg.cols,
             tech.node_nm, tech_source, cfg.clock_ghz);
  fmt::print(
      "activity: a fold streams S = {} values in P = {} cycles (PE utilization {:.1f} %), registers clocked every "
      "cycle, PE data activity {:g}\n",
      act.stream, act.cycles_per_fold, 100.0 * act.utilization, o.pe_data_activity);
  fmt::print("checksums: {}\n", o.two_sided ? "row and column (--two-sided) for classic, approxabft and statistical"
                                            : "row checksums only, except classic-correct (row and column)");
  fmt::print("baseline: area {:.4f} mm^2 ({:.1f} um^2 per PE), power {:.2f} mW (dynamic {:.2f} + leakage {:.2f})\n",
             base.area_um2 * 1e-6, base.area_um2 / (static_cast<double>(cfg.rows) * cfg.cols), base.power_mw(),
             base.dynamic_mw, base.leakage_mw);
  if (o.detail) print_items(base);
  fmt::print("\n{:<16} {:>14} {:>9} {:>12} {:>9}  {}\n", "scheme", "+area um^2", "+area %", "+power mW", "+power %",
             "extra cycles/fold");
  for (const Row& r : rows) {
    fmt::print("{:<16} {:>14.1f} {:>8.3f}% {:>12.4f} {:>8.3f}%  {}\n", abft::to_string(r.scheme), r.cost.area_um2,
               r.area_pct, r.cost.power_mw(), r.power_pct, r.cost.extra_cycles_per_fold);
    if (o.detail) print_items(r.cost);
  }
  if (o.sweep_sizes) {
    fmt::print("\noverhead vs array size ({} n x n, +area % / +power %; classic x n/100 tends to a constant ~2/n):\n",
               arch::to_string(cfg.dataflow));
    fmt::print("{:>5}", "n");
    for (abft::Scheme s : abft::all_schemes())
      if (s != abft::Scheme{}) fmt::print(" {:>17}", abft::to_string(s));
    fmt::print(" {:>14}\n", "classic*n/100");
    for (const SweepRow& s : sweep) {
      fmt::print("{:>5}", s.n);
      for (const Row& r : s.rows)
        if (r.scheme != abft::Scheme{})
          fmt::print(" {:>17}", fmt::format("{:.3f}/{:.3f}", r.area_pct, r.power_pct));
      fmt::print(" {:>14.3f}\n", classic_of(s.rows).area_pct * s.n / 100.0);
    }
  }
  if (energy) {
    fmt::print("\nenergy of one GEMM M={} N={} K={} ({} MACs) at V = {:g} V (Vnom {:g} V), pJ:\n", ein.shape.m,
               ein.shape.n, ein.shape.k, ein.shape.macs(), ein.v, tech.v_nominal);
    fmt::print("{:<16} {:>13} {:>13} {:>13} {:>11} {:>12} {:>13} {:>11}\n", "scheme", "MAC", "registers", "SRAM",
               "leakage", "detection", "total", "pJ/MAC");
    for (const auto& [s, e] : energies)
      fmt::print("{:<16} {:>13.4g} {:>13.4g} {:>13.4g} {:>11.4g} {:>12.4g} {:>13.4g} {:>11.4f}\n", abft::to_string(s),
                 e.mac, e.array_registers, e.sram, e.leakage, e.detection, e.total(),
                 e.total() / static_cast<double>(e.macs));
  }
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
