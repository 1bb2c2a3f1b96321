#pragma once
// Each saffire subcommand lives in sim/cli/cmd_<name>.cpp and registers itself on the app.
// Library code throws; main() turns ConfigError into exit code 2 and other errors into 1.
#include <CLI/CLI.hpp>

namespace saffire::cli {

void add_gemm_command(CLI::App& app);
void add_topology_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_voltage_curve_command(CLI::App& app);
void add_overhead_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_trace_command(CLI::App& app);
void add_abft_prob_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_fp_abft_command(CLI::App& app);  // cmd_fp_abft.cpp: floating-point checksums, false alarms and misses
void add_rerun_command(CLI::App& app);  // cmd_rerun.cpp: repeat the run a trace records
void add_tasks_command(CLI::App& app);  // cmd_tasks.cpp: task-level accuracy and outcomes under faults

}  // namespace saffire::cli
