#pragma once
// The command record of this saffire process: the command line (captured once by main()) and the
// input files it names, written into every trace the commands create (schema version 5:
// /command_line and /inputs, traces/SCHEMA.md) so that `saffire rerun TRACE` can repeat the run from
// the trace alone.
//
// Which files are inputs: every argv token after the subcommand, or the value part of --opt=value,
// that names an existing regular file, except the values of output options (is_output_option) and
// of --prompt. Files up to embed_limit() bytes (SAFFIRE_TRACE_EMBED_MAX, default 8 MiB; at most
// 64 MiB embedded per trace) are embedded; larger ones are recorded by reference (absolute path,
// size and content hash), and rerun checks they are unchanged. Commands add the files they locate
// themselves (note_found_input: eval's default model files) and a sweep the files its points name.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "traces/trace_records.hpp"

namespace saffire::cli {

/// Called once by main() before parsing: remembers argv after the program name, the working
/// directory, and the restored inputs `saffire rerun` passes in kRerunInputsEnv (then unset).
void capture_command_line(int argc, const char* const* argv);

/// Set by `saffire rerun` for its child: which files of the child's command line stand for which
/// recorded inputs. The child's traces record those under their original path (as spelled and
/// resolved; config_toml likewise), so a rerun's trace records the original run's command line,
/// inputs and config, its outputs aside.
inline constexpr char kRerunInputsEnv[] = "SAFFIRE_RERUN_INPUTS";
/// The value of kRerunInputsEnv for entries {path given to the child, recorded path, recorded
/// resolved path} (entries with an empty field, a tab or a newline are left out).
std::string rerun_inputs_env(const std::vector<std::array<std::string, 3>>& entries);
/// The captured command line (after the program name); empty when capture_command_line was not called.
const std::vector<std::string>& command_line();

/// Records `file` as an input the command located itself (source "found", always by reference: such
/// files are data like the default model files); skipped when the same file is already an input.
void note_found_input(const std::filesystem::path& file);

/// Fills info.argv, info.cwd and info.inputs from the captured command line, the noted files and,
/// for a sweep, `point_values`: the option values of its points (files among them get source "point").
/// Throws ConfigError naming a file that exists but cannot be read.
void stamp_run_info(traces::RunInfo& info, const std::vector<std::string>& point_values = {});

/// Options whose value is a file or directory the command writes: --trace, --out, --points. Their
/// values are never recorded as inputs, and rerun redirects them.
bool is_output_option(std::string_view flag);

/// The largest file embedded in a trace, in bytes: $SAFFIRE_TRACE_EMBED_MAX when set (a
/// non-negative integer; tests set it low), else 8 MiB.
std::uint64_t embed_limit();

/// The content hash recorded for an input: "fnv1a64:<16 hex>" (FNV-1a 64 of every byte) for files
/// up to 64 MiB, "fnv1a64-sampled:<16 hex>" (of the size and 16 evenly spaced 1 MiB blocks) above.
/// Throws ConfigError naming the file when it cannot be read.
std::string file_hash(const std::filesystem::path& file);
/// The same hash of bytes already in memory (a file of `bytes.size()` bytes, at most 64 MiB).
std::string content_hash(std::string_view bytes);

/// A TOML basic string: quoted, with quotes, backslashes and control characters escaped (for the
/// config_toml the commands write).
std::string toml_string(const std::string& s);

}  // namespace saffire::cli
