// saffire trace: post-processing of HDF5 traces and sweep files.
//   trace summary FILE                    what the file holds (run info, row counts, point status)
//   trace export-csv FILE --table NAME    one table as CSV (gemms, faults, abft, points, memory) on stdout or --out
//   trace merge OUT IN...                 one file from several (e.g. the ranks of a sharded sweep)
//   trace diff A B                        the differences, ignoring wall-clock fields; exit 1 if any
#include <fmt/core.h>

#include <array>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "arch/config_error.hpp"
#include "sim/cli/commands.hpp"
#include "traces/trace_reader.hpp"
#include "traces/trace_writer.hpp"

namespace saffire::cli {
namespace {

// Every row of every table, as strings, in a uniform shape for CSV export and diffs.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

std::string num(double v) { return fmt::format("{}", v); }

Table gemms_table(const traces::TraceReader& r) {
  Table t{{"name", "m", "n", "k", "dataflow", "rows", "cols", "cycles", "macs", "utilization", "mapping_efficiency",
           "fidelity", "host_seconds"},
          {}};
  for (const auto& g : r.gemms())
    t.rows.push_back({g.name, std::to_string(g.m), std::to_string(g.n), std::to_string(g.k), g.dataflow,
                      std::to_string(g.rows), std::to_string(g.cols), std::to_string(g.cycles), std::to_string(g.macs),
                      num(g.utilization), num(g.mapping_efficiency), g.fidelity, num(g.host_seconds)});
  return t;
}

Table faults_table(const traces::TraceReader& r) {
  Table t{{"gemm", "layer", "component", "stage", "head", "call_index", "sequence", "m", "n", "pe_row", "pe_col", "fold",
           "cycle", "bit", "before", "after", "delta"},
          {}};
  for (const auto& f : r.faults())
    t.rows.push_back({f.gemm, std::to_string(f.layer), f.component, f.stage, std::to_string(f.head),
                      std::to_string(f.call_index), std::to_string(f.sequence), std::to_string(f.m), std::to_string(f.n),
                      std::to_string(f.pe_row), std::to_string(f.pe_col), std::to_string(f.fold), std::to_string(f.cycle),
                      std::to_string(f.bit), std::to_string(f.before), std::to_string(f.after), std::to_string(f.delta)});
  return t;
}

Table abft_table(const traces::TraceReader& r) {
  Table t{{"gemm", "layer", "component", "stage", "head", "call_index", "sequence", "attempt", "tile", "scheme", "action",
           "msd", "theta_mag", "freq", "recovered_at_nominal"},
          {}};
  for (const auto& d : r.decisions())
    t.rows.push_back({d.gemm, std::to_string(d.layer), d.component, d.stage, std::to_string(d.head),
                      std::to_string(d.call_index), std::to_string(d.sequence), std::to_string(d.attempt),
                      std::to_string(d.tile), d.scheme, d.action, num(d.msd), num(d.theta_mag), std::to_string(d.freq),
                      std::to_string(d.recovered_at_nominal)});
  return t;
}

Table memory_table(const traces::TraceReader& r) {
  Table t{{"gemm", "model", "dram_preset", "compute_cycles", "stall_cycles", "total_cycles", "sram_reads_ifmap",
           "sram_reads_filter", "sram_reads_ofmap", "sram_writes_ifmap", "sram_writes_filter", "sram_writes_ofmap",
           "dram_reads_ifmap", "dram_reads_filter", "dram_reads_ofmap", "dram_writes_ifmap", "dram_writes_filter",
           "dram_writes_ofmap", "dram_bytes_read", "dram_bytes_written", "achieved_gbps", "required_avg_ifmap",
           "required_avg_filter", "required_avg_ofmap", "required_peak_ifmap", "required_peak_filter",
           "required_peak_ofmap", "dram_requests", "dram_row_hits", "dram_row_misses", "dram_row_conflicts",
           "row_hit_rate", "sram_energy_pj", "dram_energy_pj"},
          {}};
  const auto i = [](std::int64_t v) { return std::to_string(v); };
  for (const auto& m : r.memory())
    t.rows.push_back({m.gemm, m.model, m.dram_preset, i(m.compute_cycles), i(m.stall_cycles), i(m.total_cycles),
                      i(m.sram_reads_ifmap), i(m.sram_reads_filter), i(m.sram_reads_ofmap), i(m.sram_writes_ifmap),
                      i(m.sram_writes_filter), i(m.sram_writes_ofmap), i(m.dram_reads_ifmap), i(m.dram_reads_filter),
                      i(m.dram_reads_ofmap), i(m.dram_writes_ifmap), i(m.dram_writes_filter), i(m.dram_writes_ofmap),
                      i(m.dram_bytes_read), i(m.dram_bytes_written), num(m.achieved_gbps), num(m.required_avg_ifmap),
                      num(m.required_avg_filter), num(m.required_avg_ofmap), num(m.required_peak_ifmap),
                      num(m.required_peak_filter), num(m.required_peak_ofmap), i(m.dram_requests), i(m.dram_row_hits),
                      i(m.dram_row_misses), i(m.dram_row_conflicts), num(m.row_hit_rate), num(m.sram_energy_pj),
                      num(m.dram_energy_pj)});
  return t;
}

// Nested JSON objects as dotted columns ("abft.recompute_rate"); arrays as their JSON text.
void flatten(const nlohmann::json& j, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& [k, v] : j.items()) {
    const std::string name = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object()) {
      flatten(v, name, out);
    } else {
      out.emplace_back(name, v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
}

// JSON nested deeper than this in a /points cell is rejected before parsing: nlohmann's parser is
// iterative, but flatten(), dump() and the destructor recurse, so depth is bounded by the stack.
constexpr int kMaxJsonDepth = 64;

// Brackets nested deeper than `limit` outside strings? (A pre-scan: it does not validate the text.)
bool nested_deeper_than(const std::string& text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// One JSON cell of /points; bad input names the file, the row and the column.
nlohmann::json parse_point_json(const traces::TraceReader& r, std::size_t row, const char* column,
                                const std::string& text) {
  const std::string at =
      fmt::format("trace file '{}': /points row {} column '{}'", r.path().string(), row, column);
  if (nested_deeper_than(text, kMaxJsonDepth)) {
    throw ConfigError(fmt::format("{}: JSON nested deeper than {} levels", at, kMaxJsonDepth));
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("{}: invalid JSON: {}", at, e.what()));
  }
}

// Points: the fixed columns, then the grid coordinates and the result's fields (flattened) as columns.
Table points_table(const traces::TraceReader& r) {
  const auto points = r.points();
  std::vector<std::string> keys;
  std::set<std::string> seen;
  std::vector<std::map<std::string, std::string>> extra;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    std::vector<std::pair<std::string, std::string>> cells;
    if (!p.coordinates.empty()) flatten(parse_point_json(r, i, "coordinates", p.coordinates), "", cells);
    if (!p.result.empty()) flatten(parse_point_json(r, i, "result", p.result), "result", cells);
    std::map<std::string, std::string> row;
    for (auto& [k, v] : cells) {
      if (seen.insert(k).second) keys.push_back(k);
      row[k] = std::move(v);
    }
    extra.push_back(std::move(row));
  }
  Table t{{"key", "command", "status", "exit_code", "seconds", "rank"}, {}};
  t.columns.insert(t.columns.end(), keys.begin(), keys.end());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    std::vector<std::string> row{p.key, p.command, p.status, std::to_string(p.exit_code), num(p.seconds), std::to_string(p.rank)};
    for (const auto& k : keys) {
      const auto it = extra[i].find(k);
      row.push_back(it == extra[i].end() ? "" : it->second);
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table table_by_name(const traces::TraceReader& r, const std::string& name) {
  if (name == "gemms") return gemms_table(r);
  if (name == "faults") return faults_table(r);
  if (name == "abft") return abft_table(r);
  if (name == "points") return points_table(r);
  if (name == "memory") return memory_table(r);
  throw ConfigError("--table: unknown table '" + name + "' (expected gemms, faults, abft, points, memory)");
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_csv(std::ostream& out, const Table& t) {
  for (std::size_t i = 0; i < t.columns.size(); ++i) out << (i ? "," : "") << csv_field(t.columns[i]);
  out << "\n";
  for (const auto& row : t.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
    out << "\n";
  }
}

void summary(const std::string& path) {
  const traces::TraceReader r(path);
  const traces::RunInfo info = r.run_info();
  fmt::print("{}: saffire trace, schema version {}, written by saffire {} ({})\n", path, r.schema_version(),
             info.saffire_version, info.created_utc);
  fmt::print("  command   {}, seed {}\n", info.command, info.seed);
  fmt::print("  gemms     {} rows\n", r.gemms().size());
  fmt::print("  faults    {} rows\n", r.faults().size());
  const auto decisions = r.decisions();
  std::map<std::string, std::size_t> actions;
  for (const auto& d : decisions) ++actions[d.action];
  std::string by_action;
  for (const auto& [a, n] : actions) by_action += fmt::format("{}{} {}", by_action.empty() ? "" : ", ", n, a);
  fmt::print("  abft      {} decisions{}\n", decisions.size(), by_action.empty() ? "" : " (" + by_action + ")");
  const auto points = r.points();
  std::map<std::string, std::size_t> status;
  double seconds = 0;
  for (const auto& p : points) {
    ++status[p.status];
    seconds += p.seconds;
  }
  std::string by_status;
  for (const auto& [s, n] : status) by_status += fmt::format("{}{} {}", by_status.empty() ? "" : ", ", n, s);
  fmt::print("  points    {} rows{}{}\n", points.size(), by_status.empty() ? "" : " (" + by_status + ")",
             points.empty() ? "" : fmt::format(", {:.1f} s of point time", seconds));
  const auto memory = r.memory();
  std::map<std::string, std::size_t> models;
  std::int64_t stalls = 0, total = 0;
  for (const auto& m : memory) {
    ++models[m.model];
    stalls += m.stall_cycles;
    total += m.total_cycles + 1;  // each GEMM's cycle count (total_cycles is its 0-based last cycle)
  }
  std::string by_model;
  for (const auto& [name, n] : models) by_model += fmt::format("{}{} {}", by_model.empty() ? "" : ", ", n, name);
  fmt::print("  memory    {} rows{}{}\n", memory.size(), by_model.empty() ? "" : " (" + by_model + ")",
             memory.empty() ? "" : fmt::format(", {} stall cycles of {}", stalls, total));
}

void merge(const std::string& out, const std::vector<std::string>& inputs) {
  if (inputs.empty()) throw ConfigError("trace merge: give at least one input file");
  std::optional<traces::RunInfo> info;
  std::vector<traces::GemmRecord> gemms;
  std::vector<traces::FaultRecord> faults;
  std::vector<traces::DecisionRecord> decisions;
  std::vector<traces::PointRecord> points;
  std::vector<traces::MemoryRecord> memory;
  std::map<std::string, std::size_t> point_at;  // key -> index in points
  for (const std::string& in : inputs) {
    const traces::TraceReader r(in);
    const traces::RunInfo ri = r.run_info();
    if (!info) {
      info = ri;
    } else if (ri.command != info->command || ri.config_toml != info->config_toml) {
      throw ConfigError("trace merge: " + in + " comes from another run (command or config differs from " + inputs[0] + ")");
    }
    for (auto& g : r.gemms()) gemms.push_back(std::move(g));
    for (auto& f : r.faults()) faults.push_back(std::move(f));
    for (auto& d : r.decisions()) decisions.push_back(std::move(d));
    for (auto& m : r.memory()) memory.push_back(std::move(m));
    for (auto& p : r.points()) {
      const auto it = point_at.find(p.key);
      if (it == point_at.end()) {
        point_at[p.key] = points.size();
        points.push_back(std::move(p));
      } else if (points[it->second].status != "ok" && p.status == "ok") {
        points[it->second] = std::move(p);  // a point that failed in one file and succeeded in another
      }
    }
  }
  // Points in grid order when they come from a sweep (keys are unique; order by the first file's rank order).
  traces::RunInfo merged = *info;
  merged.created_utc.clear();
  traces::TraceWriter w(out, merged);
  for (const auto& g : gemms) w.append_gemm(g);
  w.append_faults(faults);
  w.append_decisions(decisions);
  w.append_points(points);
  w.append_memory(memory);
  w.close();
  fmt::print(stderr,
             "saffire trace merge: {} files -> {} ({} gemms, {} faults, {} decisions, {} points, {} memory rows)\n",
             inputs.size(), out, gemms.size(), faults.size(), decisions.size(), points.size(), memory.size());
}

// Wall-clock fields differ between otherwise identical runs.
bool timing_field(const std::string& name) {
  static const std::set<std::string> names = {"seconds", "host_seconds", "tokens_per_second", "rank", "finished_utc"};
  const auto dot = name.rfind('.');
  return names.count(dot == std::string::npos ? name : name.substr(dot + 1)) > 0;
}

// Rows keyed for comparison: points by key (order-free, as ranks finish in any order), others by position.
std::map<std::string, std::map<std::string, std::string>> keyed(const Table& t, bool by_key) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < t.columns.size(); ++c)
      if (!timing_field(t.columns[c])) row[t.columns[c]] = t.rows[i][c];
    out[by_key ? t.rows[i][0] : fmt::format("row {}", i)] = std::move(row);
  }
  return out;
}

int diff(const std::string& a, const std::string& b) {
  const traces::TraceReader ra(a), rb(b);
  int differences = 0;
  const auto report = [&](const std::string& what) {
    if (++differences <= 50) fmt::print("{}\n", what);
  };
  const traces::RunInfo ia = ra.run_info(), ib = rb.run_info();
  if (ia.command != ib.command) report("run info: command " + ia.command + " vs " + ib.command);
  if (ia.config_toml != ib.config_toml) report("run info: config_toml differs");
  if (ia.seed != ib.seed) report(fmt::format("run info: seed {} vs {}", ia.seed, ib.seed));
  for (const char* name : {"gemms", "faults", "abft", "points", "memory"}) {
    const bool by_key = std::string(name) == "points";
    const auto ka = keyed(table_by_name(ra, name), by_key), kb = keyed(table_by_name(rb, name), by_key);
    for (const auto& [k, row] : ka) {
      const auto it = kb.find(k);
      if (it == kb.end()) {
        report(fmt::format("{} {}: only in {}", name, k, a));
        continue;
      }
      for (const auto& [col, v] : row) {
        const auto jt = it->second.find(col);
        const std::string w = jt == it->second.end() ? "(missing)" : jt->second;
        if (v != w) report(fmt::format("{} {}: {} = {} vs {}", name, k, col, v, w));
      }
    }
    for (const auto& [k, row] : kb)
      if (!ka.count(k)) report(fmt::format("{} {}: only in {}", name, k, b));
  }
  if (differences > 50) fmt::print("... {} differences in all\n", differences);
  if (differences == 0) fmt::print("{} and {} agree (wall-clock fields ignored)\n", a, b);
  return differences == 0 ? 0 : 1;
}

// Runs a subcommand's body; a trace it cannot read (missing, not HDF5, corrupt) is bad input: exit 2.
template <typename Body>
void bad_traces_are_input_errors(Body body) {
  try {
    body();
  } catch (const traces::TraceError& e) {
    throw ConfigError(e.what());
  }
}

}  // namespace

void add_trace_command(CLI::App& app) {
  CLI::App* trace = app.add_subcommand("trace", "Post-process HDF5 traces and sweep files");
  trace->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  CLI::App* s = trace->add_subcommand("summary", "What a trace holds");
  s->add_option("file", *file, "trace or sweep file")->required();
  s->callback([file] { bad_traces_are_input_errors([&] { summary(*file); }); });

  auto ex = std::make_shared<std::array<std::string, 3>>();
  CLI::App* e = trace->add_subcommand("export-csv", "One table as CSV");
  e->add_option("file", (*ex)[0], "trace or sweep file")->required();
  e->add_option("--table", (*ex)[1], "gemms, faults, abft, points or memory")->required();
  e->add_option("--out", (*ex)[2], "CSV file (default: stdout)");
  e->callback([ex] {
    Table t;
    bad_traces_are_input_errors([&] { t = table_by_name(traces::TraceReader((*ex)[0]), (*ex)[1]); });
    if ((*ex)[2].empty()) {
      write_csv(std::cout, t);
      return;
    }
    std::ofstream out((*ex)[2]);
    if (!out) throw ConfigError((*ex)[2] + ": cannot write");
    write_csv(out, t);
  });

  auto mg = std::make_shared<std::pair<std::string, std::vector<std::string>>>();
  CLI::App* m = trace->add_subcommand("merge", "One file from several (e.g. the ranks of a sharded sweep)");
  m->add_option("out", mg->first, "merged file to write")->required();
  m->add_option("inputs", mg->second, "input files")->required();
  m->callback([mg] { bad_traces_are_input_errors([&] { merge(mg->first, mg->second); }); });

  auto df = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* d = trace->add_subcommand("diff", "Differences between two files (wall-clock fields ignored); exit 1 if any");
  d->add_option("a", df->first, "first file")->required();
  d->add_option("b", df->second, "second file")->required();
  d->callback([df] {
    int rc = 0;
    bad_traces_are_input_errors([&] { rc = diff(df->first, df->second); });
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace saffire::cli
