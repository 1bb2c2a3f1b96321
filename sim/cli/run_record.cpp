#include "sim/cli/run_record.hpp"

#include <fmt/core.h>

#include <stdlib.h>  // unsetenv

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <system_error>

#include "arch/config_error.hpp"

namespace saffire::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kDefaultEmbedLimit = 8ull << 20;     // bytes per embedded file
constexpr std::uint64_t kEmbedBudget = 64ull << 20;          // bytes embedded per trace, all files together
constexpr std::uint64_t kWholeHashLimit = 64ull << 20;       // above: the sampled hash
constexpr std::uint64_t kSampleBlock = 1ull << 20;           // bytes per sampled block
constexpr int kSampleBlocks = 16;

// A file `saffire rerun` gave this process in place of a recorded input (see kRerunInputsEnv).
struct Restored {
  std::string path;      // as this process's command line names it (the restored copy)
  std::string spelled;   // the recorded input's path, as the original command line spelled it
  std::string resolved;  // and its recorded absolute path
};

struct Recorder {
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<fs::path> found;
  std::vector<Restored> restored;
};

Recorder& recorder() {
  static Recorder r;
  return r;
}

struct Fnv {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void add(std::string_view bytes) {
    for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  }
};

std::string hex(std::uint64_t h) { return fmt::format("{:016x}", h); }

// Options whose value is text, never a file, even when a file of that name exists.
bool is_text_option(std::string_view flag) { return flag == "--prompt"; }

// A path as the trace records it: absolute and normalized (symbolic links are kept as named).
std::string resolved(const fs::path& p) {
  std::error_code ec;
  const fs::path abs = fs::absolute(p, ec);
  return (ec ? p : abs).lexically_normal().string();
}

std::string read_whole(const fs::path& file, std::uint64_t size) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size)))
    throw ConfigError(file.string() + ": cannot read this input file to record it in the trace");
  return bytes;
}

}  // namespace

void capture_command_line(int argc, const char* const* argv) {
  Recorder& r = recorder();
  r.argv.assign(argv + std::min(argc, 1), argv + argc);
  std::error_code ec;
  r.cwd = fs::current_path(ec).string();
  r.restored.clear();
  if (const char* env = std::getenv(kRerunInputsEnv)) {
    // Lines "PATH<TAB>SPELLED<TAB>RESOLVED", written by saffire rerun for its child only.
    std::string_view text(env);
    while (!text.empty()) {
      const auto nl = text.find('\n');
      const std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      const auto t1 = line.find('\t');
      const auto t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
      if (t2 == std::string_view::npos) continue;
      r.restored.push_back({std::string(line.substr(0, t1)), std::string(line.substr(t1 + 1, t2 - t1 - 1)),
                            std::string(line.substr(t2 + 1))});
    }
    unsetenv(kRerunInputsEnv);  // not for the processes this one starts
  }
}

std::string rerun_inputs_env(const std::vector<std::array<std::string, 3>>& entries) {
  std::string text;
  for (const auto& e : entries) {
    if (std::any_of(e.begin(), e.end(), [](const std::string& s) {
          return s.empty() || s.find_first_of("\t\n") != std::string::npos;
        }))
      continue;
    text += e[0] + "\t" + e[1] + "\t" + e[2] + "\n";
  }
  return text;
}

const std::vector<std::string>& command_line() { return recorder().argv; }

void note_found_input(const fs::path& file) { recorder().found.push_back(file); }

bool is_output_option(std::string_view flag) { return flag == "--trace" || flag == "--out" || flag == "--points"; }

std::uint64_t embed_limit() {
  const char* env = std::getenv("SAFFIRE_TRACE_EMBED_MAX");
  if (env == nullptr || *env == '\0') return kDefaultEmbedLimit;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(env, &end, 10);
  if (end == env || *end != '\0' || *env == '-')
    throw ConfigError(std::string("SAFFIRE_TRACE_EMBED_MAX: expected a number of bytes, got '") + env + "'");
  return v;
}

std::string content_hash(std::string_view bytes) {
  Fnv f;
  f.add(bytes);
  return "fnv1a64:" + hex(f.h);
}

std::string file_hash(const fs::path& file) {
  std::error_code ec;
  const std::uint64_t size = fs::file_size(file, ec);
  if (ec) throw ConfigError(file.string() + ": cannot read the size of this input file: " + ec.message());
  if (size <= kWholeHashLimit) return content_hash(read_whole(file, size));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string() + ": cannot open this input file to hash it");
  Fnv f;
  std::string size_bytes(8, '\0');
  for (int i = 0; i < 8; ++i) size_bytes[static_cast<std::size_t>(i)] = static_cast<char>((size >> (8 * i)) & 0xff);
  f.add(size_bytes);
  std::string block(kSampleBlock, '\0');
  for (int i = 0; i < kSampleBlocks; ++i) {
    const std::uint64_t offset = (size - kSampleBlock) / (kSampleBlocks - 1) * static_cast<std::uint64_t>(i);
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(block.data(), static_cast<std::streamsize>(block.size())))
      throw ConfigError(file.string() + ": cannot read this input file to hash it");
    f.add(block);
  }
  return "fnv1a64-sampled:" + hex(f.h);
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void stamp_run_info(traces::RunInfo& info, const std::vector<std::string>& point_values) {
  const Recorder& r = recorder();
  // Under saffire rerun: the restored copies are recorded as the inputs they stand for, so that the
  // rerun's trace records the original command line (outputs aside) and config.
  const auto original = [&r](const std::string& path) -> const Restored* {
    for (const Restored& x : r.restored)
      if (x.path == path) return &x;
    return nullptr;
  };
  info.argv = r.argv;
  for (std::size_t i = 1; i < info.argv.size(); ++i) {
    std::string& tok = info.argv[i];
    const auto eq = tok.rfind("--", 0) == 0 ? tok.find('=') : std::string::npos;
    if (const Restored* x = original(eq == std::string::npos ? tok : tok.substr(eq + 1)))
      tok = (eq == std::string::npos ? std::string() : tok.substr(0, eq + 1)) + x->spelled;
  }
  for (const Restored& x : r.restored) {
    for (std::size_t at = info.config_toml.find(x.path); at != std::string::npos;
         at = info.config_toml.find(x.path, at + x.spelled.size())) {
      info.config_toml.replace(at, x.path.size(), x.spelled);
    }
  }
  info.cwd = r.cwd;
  info.inputs.clear();
  const std::uint64_t limit = embed_limit();
  std::uint64_t embedded_bytes = 0;
  std::set<std::string> spelled, files;  // paths as spelled, and as resolved, already recorded

  const auto add = [&](const std::string& path, const char* source, bool may_embed) {
    if (path.empty() || spelled.count(path)) return;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return;
    traces::InputFile in;
    in.path = path;
    in.resolved = resolved(path);
    in.source = source;
    if (std::string(source) == "found" && files.count(in.resolved)) return;  // already named on the command line
    in.size = fs::file_size(path, ec);
    if (ec) throw ConfigError(path + ": cannot read the size of this input file: " + ec.message());
    in.embedded = may_embed && in.size <= limit && embedded_bytes + in.size <= kEmbedBudget;
    if (in.embedded) {
      in.content = read_whole(path, in.size);
      in.hash = content_hash(in.content);
      embedded_bytes += in.size;
    } else {
      in.hash = file_hash(path);
    }
    spelled.insert(in.path);
    files.insert(in.resolved);
    if (const Restored* x = original(in.path)) {
      in.path = x->spelled;
      in.resolved = x->resolved;
    }
    info.inputs.push_back(std::move(in));
  };

  // The command line: argv[0] is the subcommand; the value after an output or text option is skipped.
  for (std::size_t i = 1; i < r.argv.size(); ++i) {
    const std::string& tok = r.argv[i];
    if (tok.rfind("-", 0) == 0) {
      const auto eq = tok.find('=');
      const std::string flag = tok.substr(0, eq);
      if (is_output_option(flag) || is_text_option(flag)) {
        if (eq == std::string::npos) ++i;  // "--out DIR": DIR is no input either
        continue;
      }
      if (eq != std::string::npos) add(tok.substr(eq + 1), "argv", true);
      continue;
    }
    add(tok, "argv", true);
  }
  for (const std::string& v : point_values) add(v, "point", true);
  for (const fs::path& f : r.found) add(f.string(), "found", false);
}

}  // namespace saffire::cli
