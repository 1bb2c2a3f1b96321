// saffire: Systolic-Array Fault Injection & Reliability Explorer. This file only dispatches.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "arch/config_error.hpp"
#include "arch/memory_budget.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/run_record.hpp"

int main(int argc, char** argv) {
  saffire::cli::capture_command_line(argc, argv);  // every trace the command writes records it
  CLI::App app{"saffire: Systolic-Array Fault Injection & Reliability Explorer", "saffire"};
  app.set_version_flag("--version", SAFFIRE_VERSION);
  app.require_subcommand(1);
  // --max-memory anywhere on the command line (subcommands pass options they do not know to here).
  app.fallthrough();
  app.add_option_function<std::string>(
         "--max-memory",
         [](const std::string& v) { saffire::arch::set_memory_limit(saffire::arch::parse_byte_size(v, "--max-memory")); },
         "most memory a run may allocate for its large buffers, e.g. 8G or 512M (default: half of the physical "
         "memory); a run that would need more stops with exit 2 before allocating")
      ->type_name("BYTES");
  saffire::cli::add_gemm_command(app);
  saffire::cli::add_topology_command(app);
  saffire::cli::add_bench_command(app);
  saffire::cli::add_generate_command(app);
  saffire::cli::add_eval_command(app);
  saffire::cli::add_voltage_curve_command(app);
  saffire::cli::add_overhead_command(app);
  saffire::cli::add_sweep_command(app);
  saffire::cli::add_trace_command(app);
  saffire::cli::add_abft_prob_command(app);
  saffire::cli::add_calibrate_command(app);
  saffire::cli::add_fp_abft_command(app);
  saffire::cli::add_rerun_command(app);
  saffire::cli::add_tasks_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command's own verdict, e.g. `trace diff` finding differences
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors are bad input
  } catch (const saffire::ConfigError& e) {
    std::fprintf(stderr, "saffire: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "saffire: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
