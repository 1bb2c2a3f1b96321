// saffire rerun TRACE: repeats the run a trace records (schema version 5: its command line and input
// files) in a child process, from the trace alone. The embedded inputs are restored into a temporary
// directory and the command line is rewritten to name them; the files the original command wrote
// (--trace, --out, --points; topology's output directory) go to --out DIR, or to a temporary
// directory that is removed afterwards. The child's stdout, stderr and exit status pass through.
// A sweep trace reruns one of its points (--point KEY), as the sweep ran it.
#include <fmt/core.h>
#include <stdlib.h>  // mkdtemp, setenv

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "arch/config_error.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/run_record.hpp"
#include "sim/sweep/process_pool.hpp"
#include "sim/sweep/sweep_config.hpp"
#include "traces/schema.hpp"
#include "traces/trace_reader.hpp"

namespace saffire::cli {
namespace {

namespace fs = std::filesystem;

struct RerunOptions {
  std::string trace;
  std::string out;    // where the outputs go; "" = a temporary directory, removed afterwards
  std::string point;  // sweep traces: the key of the point to rerun
  bool json = false, no_json = false;
};

// A directory made with mkdtemp and removed (with everything in it) when this goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string templ = (base / "saffire-rerun-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("rerun: cannot create a temporary directory in " + base.string());
    m_path = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Throws ConfigError naming the trace and the file unless the referenced input is as recorded.
void check_unchanged(const std::string& trace, const traces::InputFile& in) {
  const std::string what = fmt::format("{}: input file '{}' (recorded by reference as {}, {} bytes, {})", trace,
                                       in.path, in.resolved, in.size, in.hash);
  std::error_code ec;
  if (!fs::is_regular_file(in.resolved, ec)) throw ConfigError(what + " is missing; restore it to rerun");
  const std::uint64_t size = fs::file_size(in.resolved, ec);
  if (ec) throw ConfigError(what + " cannot be read: " + ec.message());
  if (size != in.size)
    throw ConfigError(fmt::format("{} has changed since the run: it now has {} bytes", what, size));
  const std::string hash = file_hash(in.resolved);
  if (hash != in.hash) throw ConfigError(fmt::format("{} has changed since the run: its content hash is now {}", what, hash));
}

// Writes the embedded inputs under `dir`/inputs/<i>/<file name> and returns, for every input, the
// path to give the rerun in place of the recorded spelling (the restored copy, or for a file recorded
// by reference its absolute path).
std::map<std::string, std::size_t> restore_inputs(const traces::RunInfo& info, const fs::path& dir,
                                                  std::vector<std::string>& replacement) {
  std::map<std::string, std::size_t> index;
  replacement.clear();
  for (std::size_t i = 0; i < info.inputs.size(); ++i) {
    const traces::InputFile& in = info.inputs[i];
    index.emplace(in.path, i);
    if (!in.embedded) {
      replacement.push_back(in.resolved);
      continue;
    }
    fs::path name = fs::path(in.path).filename();
    if (name.empty() || name == "." || name == "..") name = "input";
    const fs::path sub = dir / "inputs" / std::to_string(i);
    fs::create_directories(sub);
    const fs::path file = sub / name;
    std::ofstream out(file, std::ios::binary);
    out.write(in.content.data(), static_cast<std::streamsize>(in.content.size()));
    if (!out.flush()) throw std::runtime_error("rerun: cannot write " + file.string());
    replacement.push_back(file.string());
  }
  return index;
}

// Where an output option's value goes: topology's --out is a directory (the output directory
// itself); every other output is a file, kept under its file name in the output directory.
std::string redirect_output(const std::string& command, const std::string& flag, const std::string& value,
                            const fs::path& out_dir) {
  if (command == "topology" && flag == "--out") return out_dir.string();
  fs::path name = fs::path(value).filename();
  if (name.empty() || name == "." || name == "..") name = "output";
  return (out_dir / name).string();
}

// The argv to run: `args` (subcommand first) with the recorded inputs replaced and the outputs
// redirected; `used` collects the indices of the inputs it names.
std::vector<std::string> rewrite(std::vector<std::string> args, const std::map<std::string, std::size_t>& index,
                                 const std::vector<std::string>& replacement, const fs::path& out_dir,
                                 std::set<std::size_t>& used) {
  const std::string command = args.empty() ? std::string() : args[0];
  const auto input = [&](std::string& value) {
    const auto it = index.find(value);
    if (it == index.end()) return;
    used.insert(it->second);
    value = replacement[it->second];
  };
  bool has_out = false, no_files = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string& tok = args[i];
    if (tok.rfind("-", 0) == 0) {
      const auto eq = tok.find('=');
      const std::string flag = tok.substr(0, eq);
      if (flag == "--no-files") no_files = true;
      if (is_output_option(flag)) {
        if (flag == "--out") has_out = true;
        if (eq != std::string::npos) {
          tok = flag + "=" + redirect_output(command, flag, tok.substr(eq + 1), out_dir);
        } else if (i + 1 < args.size()) {
          args[i + 1] = redirect_output(command, flag, args[i + 1], out_dir);
          ++i;
        }
        continue;
      }
      if (flag == "--prompt") {  // text, never a file (as when recording)
        if (eq == std::string::npos) ++i;
        continue;
      }
      if (eq != std::string::npos) {
        std::string value = tok.substr(eq + 1);
        input(value);
        tok = flag + "=" + value;
      }
      continue;
    }
    input(tok);
  }
  // topology writes into out/topology by default: that goes to the output directory too.
  if (command == "topology" && !has_out && !no_files) {
    args.push_back("--out");
    args.push_back(out_dir.string());
  }
  return args;
}

// A sweep trace: the argv of its point `key` (as `saffire sweep` launched it, --json included),
// from the sweep config the trace holds.
std::vector<std::string> point_argv(const std::string& trace, const traces::RunInfo& info, const std::string& key,
                                    const fs::path& tmp) {
  sim::SweepConfig cfg;
  try {
    cfg = sim::parse_sweep_config(info.config_toml, trace + " (config_toml)", tmp);
  } catch (const ConfigError& e) {
    throw ConfigError(trace + ": the sweep config it records does not parse: " + e.what());
  }
  const std::vector<sim::SweepPoint> points = cfg.points();
  for (const sim::SweepPoint& p : points) {
    if (p.key != key) continue;
    std::vector<std::string> argv = p.argv(cfg.command);
    argv.push_back("--json");
    return argv;
  }
  std::string list;
  for (const sim::SweepPoint& p : points) {
    std::string coords;
    for (const auto& [flag, value] : p.coordinates) coords += fmt::format(" {}={}", flag, value);
    list += fmt::format("\n  {}{}", p.key, coords);
  }
  throw ConfigError(fmt::format("{}: {}; the sweep's {} points are:{}", trace,
                                key.empty() ? std::string("a sweep trace reruns one point: give --point KEY")
                                            : "no point has the key '" + key + "'",
                                points.size(), list));
}

void run_rerun(const RerunOptions& o) {
  traces::RunInfo info;
  int version = 0;
  try {
    const traces::TraceReader reader(o.trace);
    info = reader.run_info();
    version = reader.schema_version();
  } catch (const traces::TraceError& e) {
    throw ConfigError(e.what());  // not a trace, unreadable, too new: bad input
  }  // the file is closed here, before a child might write to the same path
  if (version < traces::kCommandSinceVersion)
    throw ConfigError(fmt::format("{}: no command line recorded (schema_version {}; traces record how they were made "
                                  "since schema version {}), so it cannot be rerun",
                                  o.trace, version, traces::kCommandSinceVersion));
  if (info.argv.empty())
    throw ConfigError(o.trace + ": no command line recorded (the program that wrote it gave none), so it cannot be rerun");
  const std::string command = info.argv[0];
  if (command == "rerun") throw ConfigError(o.trace + ": records a rerun command line, which cannot be rerun");
  if (command != "sweep" && !o.point.empty())
    throw ConfigError(o.trace + ": --point is for sweep traces; this one was written by '" + command + "'");

  const TempDir tmp;
  std::vector<std::string> replacement;
  const std::map<std::string, std::size_t> index = restore_inputs(info, tmp.path(), replacement);
  std::vector<std::string> args = command == "sweep" ? point_argv(o.trace, info, o.point, tmp.path()) : info.argv;

  const fs::path out_dir = o.out.empty() ? tmp.path() / "out" : fs::path(o.out);
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw ConfigError(out_dir.string() + ": cannot create output directory: " + ec.message());
  std::set<std::size_t> used;
  args = rewrite(std::move(args), index, replacement, out_dir, used);
  // The child truncates its trace when it starts: never the file being rerun.
  const auto same_file = [](const fs::path& a, const fs::path& b) {
    std::error_code e1, e2;
    return fs::equivalent(a, b, e1) ||
           fs::absolute(a, e1).lexically_normal() == fs::absolute(b, e2).lexically_normal();
  };
  for (std::size_t i = 1; i < args.size(); ++i) {
    const auto eq = args[i].find('=');
    const std::string flag = args[i].substr(0, eq);
    if (!is_output_option(flag)) continue;
    const std::string value = eq != std::string::npos ? args[i].substr(eq + 1) : i + 1 < args.size() ? args[i + 1] : "";
    const fs::path written = args[0] == "topology" && flag == "--out" ? fs::path(value) / "trace.h5" : fs::path(value);
    if (same_file(written, o.trace))
      throw ConfigError(o.trace + ": the rerun would write its trace over this file; give another --out DIR");
  }
  // The inputs recorded by reference must be as they were: those the command line names, and the
  // files the command found itself (e.g. eval's default model files).
  for (std::size_t i = 0; i < info.inputs.size(); ++i) {
    const traces::InputFile& in = info.inputs[i];
    if (!in.embedded && (used.count(i) || in.source == "found")) check_unchanged(o.trace, in);
  }
  if (o.no_json) std::erase(args, std::string("--json"));
  if (o.json && std::find(args.begin(), args.end(), "--json") == args.end()) args.push_back("--json");

  // The child records the restored copies as the inputs they stand for (run_record.hpp).
  std::vector<std::array<std::string, 3>> restored;
  for (const std::size_t i : used) restored.push_back({replacement[i], info.inputs[i].path, info.inputs[i].resolved});
  setenv(kRerunInputsEnv, rerun_inputs_env(restored).c_str(), 1);

  std::string line = "saffire";
  for (const std::string& a : args) line += " " + shell_quote(a);
  fmt::print(stderr, "saffire rerun: {}\n", line);
  if (o.out.empty()) fmt::print(stderr, "saffire rerun: outputs go to a temporary directory (--out DIR keeps them)\n");
  std::fflush(stderr);
  const int code = sim::run_attached(sim::self_executable(), args);
  if (code != 0) throw CLI::RuntimeError(code);  // main() returns it; the temporary directory is removed first
}

}  // namespace

void add_rerun_command(CLI::App& app) {
  auto o = std::make_shared<RerunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "rerun", "Repeat the run a trace records (its command line and input files), printing what it printed");
  cmd->add_option("trace", o->trace, "trace file (schema version 5 or newer)")->required();
  cmd->add_option("--out", o->out,
                  "directory for the run's outputs (trace, reports); default: a temporary directory, removed afterwards");
  cmd->add_option("--point", o->point, "sweep traces: the key of the point to rerun (see saffire sweep --list)");
  auto* json = cmd->add_flag("--json", o->json, "run it with --json (default: as recorded)");
  auto* no_json = cmd->add_flag("--no-json", o->no_json, "run it without --json (default: as recorded)");
  json->excludes(no_json);
  cmd->callback([o] { run_rerun(*o); });
}

}  // namespace saffire::cli
