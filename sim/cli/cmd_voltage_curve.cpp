// saffire voltage-curve: per-accumulate timing-error probability of the PE accumulators versus supply
// voltage, measured on the operand statistics of real accumulations (the partial sums of random INT8
// dot products of length K = 4096 on every PE of the array), with the bit histogram of the errors.
// The model is arch/timing/ (TimingModel), the measurement arch/timing/voltage_curve; this file parses and prints.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "arch/array_config_file.hpp"
#include "arch/config_error.hpp"
#include "arch/timing/timing_model.hpp"
#include "arch/timing/voltage_config.hpp"
#include "arch/timing/voltage_curve.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/option_checks.hpp"

namespace saffire::cli {
namespace {

struct VoltageCurveOptions {
  std::optional<double> from;  // default: the nominal supply
  double to = 0.6, step = 0.01;
  int samples = 4;         // dot products per PE
  std::uint64_t seed = 1;  // operand data
  std::optional<int> rows, cols;
  std::optional<std::uint64_t> chip_seed;
  std::optional<double> sigma;
  std::optional<double> v_nominal, clock_ghz;  // override [arch] v_nominal, clock_ghz
  std::string config_path;
  int threads = 0;
  bool json = false;
};

std::string fmt_v(double v) { return fmt::format("{:g}", v); }

std::vector<double> sweep_voltages(const VoltageCurveOptions& o, const arch::VoltageConfig& base) {
  const double from = o.from.value_or(base.v_nominal);
  if (!std::isfinite(from) || !std::isfinite(o.to) || !std::isfinite(o.step))
    throw ConfigError("voltage-curve: --from, --to and --step must be finite numbers");
  if (from < o.to)
    throw ConfigError("voltage-curve: the sweep runs downward from --from to --to, got --from " + fmt_v(from) +
                      " < --to " + fmt_v(o.to));
  if (!(o.step > 0)) throw ConfigError("voltage-curve: --step must be positive, got " + fmt_v(o.step));
  if (o.to <= base.vth)
    throw ConfigError("voltage-curve: --to " + fmt_v(o.to) + " V is at or below the threshold voltage vth = " +
                      fmt_v(base.vth) + " V (the alpha-power law needs V > vth)");
  const double count = std::floor((from - o.to) / o.step + 1e-9) + 1;
  if (count > 100000) throw ConfigError("voltage-curve: more than 100000 voltages; use a larger --step");
  std::vector<double> vs;
  for (int i = 0; i < static_cast<int>(count); ++i)
    vs.push_back(std::round((from - i * o.step) * 1e9) / 1e9);  // 0.9 - 3 * 0.01 prints as 0.87
  return vs;
}

void print_json(const VoltageCurveOptions& o, const arch::VoltageConfig& base, const arch::VoltageCurveSpec& spec,
                const std::vector<arch::VoltageCurvePoint>& points) {
  nlohmann::json out;
  out["command"] = "voltage-curve";
  out["rows"] = spec.rows;
  out["cols"] = spec.cols;
  out["k"] = arch::kVoltageCurveReduction;
  out["samples"] = o.samples;
  out["seed"] = o.seed;
  out["voltage"] = {{"v_nominal", base.v_nominal},   {"vth", base.vth},
                    {"alpha", base.alpha},           {"clock_ghz", base.clock_ghz},
                    {"guard_band", base.guard_band}, {"sigma", base.sigma},
                    {"chip_seed", base.chip_seed}};
  out["model"] = {{"width", arch::TimingModel::kWidth}, {"t_fixed_over_t_carry", arch::TimingModel::kFixedStages}};
  nlohmann::json arr = nlohmann::json::array();
  for (const arch::VoltageCurvePoint& p : points) {
    arr.push_back({{"v", p.v},
                   {"delay_scale", p.delay_scale},
                   {"min_safe_chain", p.min_safe},
                   {"max_safe_chain", p.max_safe},
                   {"errors", p.errors},
                   {"checked", p.checked},
                   {"error_probability", static_cast<double>(p.errors) / static_cast<double>(p.checked)},
                   {"late_carries", p.late},
                   {"late_probability", static_cast<double>(p.late) / static_cast<double>(p.checked)},
                   {"bit_histogram", p.hist}});
  }
  out["points"] = std::move(arr);
  fmt::print("{}\n", out.dump());
}

void print_table(const VoltageCurveOptions& o, const arch::VoltageConfig& base, const arch::VoltageCurveSpec& spec,
                 const std::vector<arch::VoltageCurvePoint>& points) {
  const std::int64_t checked = points.empty() ? 0 : points.front().checked;
  fmt::print("saffire voltage-curve: {}x{} PEs, {} dot product(s) of K = {} per PE ({} accumulates per voltage)\n",
             spec.rows, spec.cols, o.samples, arch::kVoltageCurveReduction, checked);
  fmt::print(
      "model: V_nom {} V at {} GHz ([arch]), vth {} V, alpha {}, guard band {}, sigma {}, chip_seed {}, data seed {}\n",
      fmt_v(base.v_nominal), fmt_v(base.clock_ghz), fmt_v(base.vth), fmt_v(base.alpha), fmt_v(base.guard_band),
      fmt_v(base.sigma), base.chip_seed, o.seed);
  fmt::print(
      "P(error): latched value wrong; P(late): some carry chain longer than the PE's safe length\n"
      "(late carries into the carry-out are harmless, see arch/timing/README.md)\n\n");
  fmt::print("{:>7} {:>7} {:>10} {:>12} {:>12} {:>12}  {}\n", "V", "delay", "safe chain", "errors", "P(error)",
             "P(late)", "error bits j (count)");
  for (const arch::VoltageCurvePoint& p : points) {
    std::string bits;
    for (int b = 31; b >= 0; --b)
      if (p.hist[static_cast<std::size_t>(b)] > 0)
        bits += fmt::format("{}{}:{}", bits.empty() ? "" : " ", b, p.hist[static_cast<std::size_t>(b)]);
    fmt::print("{:>7.3f} {:>7.3f} {:>10} {:>12} {:>12.3e} {:>12.3e}  {}\n", p.v, p.delay_scale,
               fmt::format("{}..{}", p.min_safe, p.max_safe), p.errors,
               static_cast<double>(p.errors) / static_cast<double>(p.checked),
               static_cast<double>(p.late) / static_cast<double>(p.checked), bits);
  }
}

void run_voltage_curve(const VoltageCurveOptions& o) {
  // The nominal supply and the clock are the run's [arch] v_nominal and clock_ghz (the overrides applied).
  arch::ArrayConfig array = o.config_path.empty() ? arch::ArrayConfig{} : arch::load_array_config(o.config_path);
  if (o.v_nominal) array.v_nominal = *o.v_nominal;
  if (o.clock_ghz) array.clock_ghz = *o.clock_ghz;
  try {
    array.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("voltage-curve: ") + e.what());
  }
  arch::VoltageConfig base =
      o.config_path.empty() ? arch::voltage_defaults(array) : arch::load_voltage_config(o.config_path, array);
  int rows = array.rows, cols = array.cols;
  if (o.rows) rows = *o.rows;
  if (o.cols) cols = *o.cols;
  if (o.chip_seed) base.chip_seed = *o.chip_seed;
  if (o.sigma) base.sigma = *o.sigma;
  if (rows < 1 || rows > 4096 || cols < 1 || cols > 4096)
    throw ConfigError("voltage-curve: --rows and --cols must be in [1, 4096], got " + std::to_string(rows) + " x " +
                      std::to_string(cols));
  if (o.samples < 1 || o.samples > 1000000)
    throw ConfigError("voltage-curve: --samples must be in [1, 1000000], got " + std::to_string(o.samples));
  try {
    base.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("voltage-curve: ") + e.what());
  }
  arch::VoltageCurveSpec spec;
  spec.base = base;
  spec.voltages = sweep_voltages(o, base);
  spec.rows = rows;
  spec.cols = cols;
  spec.samples = o.samples;
  spec.seed = o.seed;
  spec.threads = o.threads;
  std::vector<arch::VoltageCurvePoint> points;
  try {
    points = arch::measure_voltage_curve(spec);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("voltage-curve: ") + e.what());
  }
  if (o.json)
    print_json(o, base, spec, points);
  else
    print_table(o, base, spec, points);
}

}  // namespace

void add_voltage_curve_command(CLI::App& app) {
  auto opts = std::make_shared<VoltageCurveOptions>();
  CLI::App* cmd = app.add_subcommand(
      "voltage-curve", "Timing-error probability of the PE accumulators vs supply voltage (INT8 dot products, K=4096)");
  cmd->add_option("--from", opts->from, "Highest voltage of the sweep (V; default: the nominal supply)");
  cmd->add_option("--to", opts->to, "Lowest voltage of the sweep (V)")->capture_default_str();
  cmd->add_option("--step", opts->step, "Voltage step (V, > 0)")->capture_default_str();
  cmd->add_option("--samples", opts->samples, "Dot products (of K = 4096 steps) per PE")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Seed of the operand data")->capture_default_str()->check(unsigned_integer());
  cmd->add_option("--rows", opts->rows, "PE rows (default: config file, else 32)");
  cmd->add_option("--cols", opts->cols, "PE columns (default: config file, else 32)");
  cmd->add_option("--config", opts->config_path, "TOML file: its [voltage] and [arch] tables are read");
  cmd->add_option("--v-nominal", opts->v_nominal, "Override [arch] v_nominal (V: the supply without timing errors)");
  cmd->add_option("--clock-ghz", opts->clock_ghz, "Override [arch] clock_ghz (the delays scale with the period)");
  cmd->add_option("--chip-seed", opts->chip_seed, "Override voltage.chip_seed (per-PE process variation)");
  cmd->add_option("--sigma", opts->sigma, "Override voltage.sigma (relative per-PE delay spread)");
  cmd->add_option("--threads", opts->threads, "Host threads (0 = all)")->capture_default_str()->check(thread_count());
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of the table");
  cmd->callback([opts] { run_voltage_curve(*opts); });
}

}  // namespace saffire::cli
