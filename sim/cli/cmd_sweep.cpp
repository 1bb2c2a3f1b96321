// saffire sweep CONFIG: runs a grid of saffire commands (each point a child process `saffire <command>
// ... --json`), in parallel, appending every finished point to one HDF5 file (dataset /points, flushed
// per point). Re-running resumes: points whose key the file already holds with status "ok" are
// skipped. Under mpirun (or --shard K/N) each rank runs every N-th point into its own file
// OUT.rankKofN.h5; `saffire trace merge` combines them.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "arch/config_error.hpp"
#include "arch/memory_budget.hpp"
#include "arch/toml_file.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/run_record.hpp"
#include "sim/sweep/process_pool.hpp"
#include "sim/sweep/progress.hpp"
#include "sim/sweep/sweep_config.hpp"
#include "traces/trace_reader.hpp"
#include "traces/trace_writer.hpp"

namespace saffire::cli {
namespace {

struct SweepOptions {
  std::string config;
  std::string out;
  std::optional<int> jobs;
  std::string shard;  // "K/N"
  bool list = false;
  bool json = false;
};

std::atomic<bool> g_interrupted{false};
void on_interrupt(int) { g_interrupted = true; }

struct Shard {
  int rank = 0, size = 1;
};

// --shard K/N, else the launcher's environment (Open MPI, then PMI as MPICH and Slurm set it).
Shard shard_of(const std::string& flag) {
  Shard s;
  const auto parse = [](const char* text, const char* what) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < 0 || v > 1000000)
      throw ConfigError(std::string(what) + ": expected a non-negative integer, got '" + text + "'");
    return static_cast<int>(v);
  };
  if (!flag.empty()) {
    const auto slash = flag.find('/');
    if (slash == std::string::npos) throw ConfigError("--shard: expected K/N, got '" + flag + "'");
    s.rank = parse(flag.substr(0, slash).c_str(), "--shard");
    s.size = parse(flag.substr(slash + 1).c_str(), "--shard");
  } else {
    for (const auto& [r, n] : {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"}, std::pair{"PMI_RANK", "PMI_SIZE"}}) {
      const char* rv = std::getenv(r);
      const char* nv = std::getenv(n);
      if (rv && nv) {
        s.rank = parse(rv, r);
        s.size = parse(nv, n);
        break;
      }
    }
  }
  if (s.size < 1 || s.rank >= s.size) throw ConfigError("--shard: expected 0 <= K < N, got " + flag);
  return s;
}

std::filesystem::path shard_path(const std::filesystem::path& out, const Shard& s) {
  if (s.size == 1) return out;
  std::filesystem::path p = out;
  p.replace_extension(fmt::format(".rank{}of{}{}", s.rank, s.size, out.extension().string()));
  return p;
}

std::string options_json(const sim::OptionList& options) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : options) j[k] = v;
  return j.dump();
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// The sweep's trace at `out`: a new one with the run record, or an existing sweep file to resume
// (its finished points' keys into `done`); anything else at `out` is bad input and left untouched.
std::optional<traces::TraceWriter> open_sweep_trace(const SweepOptions& o, const std::vector<sim::SweepPoint>& all,
                                                    const std::filesystem::path& out, std::set<std::string>& done) {
  std::optional<traces::TraceWriter> writer;
  if (std::filesystem::exists(out)) {
    // Resuming: the file must be a sweep file (another command's trace would get points appended to
    // it), and one that can be read; both are bad input (exit 2), and the file is left untouched.
    try {
      const traces::TraceReader existing(out);
      if (existing.run_info().command != "sweep")
        throw ConfigError("sweep: --out '" + out.string() + "' is an existing trace of '" +
                          existing.run_info().command +
                          "', not a sweep file; choose another --out (sweeps resume only into their own file)");
      for (const traces::PointRecord& r : existing.points())
        if (r.status == "ok") done.insert(r.key);
    } catch (const traces::TraceError& e) {
      throw ConfigError(std::string("sweep: cannot resume into --out: ") + e.what());
    }
    writer.emplace(traces::TraceWriter::append(out));
  } else {
    traces::RunInfo info;
    info.command = "sweep";
    info.config_toml = read_text_file(o.config, "sweep config");
    info.saffire_version = SAFFIRE_VERSION;
    // The command record, with the files the points' options name (e.g. config = "arch.toml"), so
    // that `saffire rerun OUT --point KEY` finds them in the trace.
    std::set<std::string> values;
    for (const sim::SweepPoint& p : all)
      for (const auto& [flag, value] : p.options)
        if (!is_output_option("--" + flag) && flag != "prompt") values.insert(value);
    stamp_run_info(info, {values.begin(), values.end()});
    writer.emplace(out, info);
  }
  return writer;
}

// The /points row of one finished child: its JSON result when it printed one, else why it failed.
traces::PointRecord point_record(const sim::SweepPoint& p, const std::string& command, const sim::ChildResult& res,
                                 int rank) {
  traces::PointRecord r;
  r.key = p.key;
  r.command = command;
  r.options = options_json(p.options);
  r.coordinates = options_json(p.coordinates);
  r.exit_code = res.exit_code;
  r.seconds = res.seconds;
  r.rank = rank;
  r.finished_utc = utc_now();
  bool good = res.exit_code == 0;
  if (good) {
    try {
      r.result = nlohmann::json::parse(res.out).dump();
    } catch (const std::exception&) {
      good = false;
      r.error = "the command's output is not one JSON object";
    }
  }
  r.status = good ? "ok" : "failed";
  if (!good && r.error.empty()) r.error = res.err.size() > 4000 ? res.err.substr(res.err.size() - 4000) : res.err;
  return r;
}

void run_sweep(const SweepOptions& o) {
  sim::SweepConfig cfg = sim::load_sweep_config(o.config);
  if (!o.out.empty()) cfg.out = o.out;
  if (o.jobs) cfg.jobs = *o.jobs;
  const Shard shard = shard_of(o.shard);
  const std::vector<sim::SweepPoint> all = cfg.points();
  std::vector<sim::SweepPoint> mine;
  for (const sim::SweepPoint& p : all)
    if (static_cast<int>(p.index % static_cast<std::size_t>(shard.size)) == shard.rank) mine.push_back(p);

  if (o.list) {
    for (const sim::SweepPoint& p : mine) {
      std::string line = p.key;
      for (const std::string& a : p.argv(cfg.command)) line += " " + a;
      fmt::print("{}\n", line);
    }
    return;
  }

  const std::filesystem::path out = shard_path(cfg.out, shard);
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  std::set<std::string> done;  // keys of the points already in the file
  std::optional<traces::TraceWriter> writer = open_sweep_trace(o, all, out, done);
  std::vector<const sim::SweepPoint*> todo;
  for (const sim::SweepPoint& p : mine)
    if (!done.count(p.key)) todo.push_back(&p);

  const int jobs = cfg.jobs > 0 ? cfg.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!o.json)
    fmt::print(stderr, "saffire sweep: {} points{} ({} done before), {} to run, {} at a time -> {}\n", mine.size(),
               shard.size > 1 ? fmt::format(" of {} (rank {} of {})", all.size(), shard.rank, shard.size) : "",
               mine.size() - todo.size(), todo.size(), jobs, out.string());
  // The children share the sweep's memory budget: each may use the limit divided by the jobs running at
  // once (a point that sets its own --max-memory keeps it), so N children never ask for N times the limit.
  const std::string child_limit = std::to_string(
      std::max<std::int64_t>(std::int64_t{1} << 20, arch::memory_limit() / std::max(1, jobs)));
  std::vector<std::vector<std::string>> argvs;
  for (const sim::SweepPoint* p : todo) {
    argvs.push_back(p->argv(cfg.command));
    argvs.back().push_back("--json");
    const bool own_limit = std::any_of(p->options.begin(), p->options.end(),
                                       [](const auto& option) { return option.first == "max-memory"; });
    if (!own_limit) argvs.back().insert(argvs.back().end(), {"--max-memory", child_limit});
  }

  g_interrupted = false;
  auto previous = std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  sim::Progress progress("points", todo.size(), mine.size() - todo.size(), !o.json);
  std::size_t ok = 0, failed = 0;
  std::string first_bad_input;
  sim::ProcessPool pool(sim::self_executable(), jobs);
  pool.run(
      argvs,
      [&](const sim::ChildResult& res) {
        const sim::SweepPoint& p = *todo[res.index];
        // A child killed by the same Ctrl-C is not a result: it runs again on resume.
        if (g_interrupted && (res.exit_code == 128 + SIGINT || res.exit_code == 128 + SIGTERM)) return;
        const traces::PointRecord r = point_record(p, cfg.command, res, shard.rank);
        const bool good = r.status == "ok";
        if (res.exit_code == 2 && first_bad_input.empty()) first_bad_input = res.err;
        writer->append_points({r});
        good ? ++ok : ++failed;
        progress.step(!good);
      },
      [&] { return g_interrupted.load() || !first_bad_input.empty(); });
  progress.finish();
  std::signal(SIGINT, previous);
  writer->close();
  nlohmann::json summary = {{"out", out.string()},     {"points", mine.size()}, {"skipped", mine.size() - todo.size()},
                            {"ok", ok},                {"failed", failed},      {"interrupted", g_interrupted.load()},
                            {"rank", shard.rank},      {"ranks", shard.size}};
  if (o.json) fmt::print("{}\n", summary.dump());
  if (!first_bad_input.empty())
    throw ConfigError("sweep: a point was rejected as bad input (fix the config; finished points are kept in " +
                      out.string() + "):\n" + first_bad_input);
  if (g_interrupted) throw std::runtime_error("sweep: interrupted; " + std::to_string(ok) + " points saved in " + out.string() + ", re-run to resume");
  if (!o.json)
    fmt::print(stderr, "saffire sweep: {} ok, {} failed; results in {}\n", ok, failed, out.string());
  if (failed > 0) throw std::runtime_error("sweep: " + std::to_string(failed) + " point(s) failed (status 'failed' in " + out.string() + "; re-run retries them)");
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run a grid of saffire commands into one HDF5 file (resumable, sharded under mpirun)");
  cmd->add_option("config", o->config, "sweep config (TOML: [sweep], [fixed], [grid]; see experiments/voltage/sweep.toml)")->required();
  cmd->add_option("--out", o->out, "results file (overrides sweep.out)");
  cmd->add_option("--jobs", o->jobs, "points in parallel (0 = one per core)");
  cmd->add_option("--shard", o->shard, "run shard K of N (default: from mpirun's environment)");
  cmd->add_flag("--list", o->list, "print the points (key and command line) and exit");
  cmd->add_flag("--json", o->json, "print a JSON summary on stdout");
  cmd->callback([o] { run_sweep(*o); });
}

}  // namespace saffire::cli
