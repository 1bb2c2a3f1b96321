// saffire fp-abft: floating-point checksums with a rounding tolerance on random GEMMs of the configured
// PEs and array (abft/trials/fp_abft_trials.hpp): false alarms and misses of single accumulator bit flips
// per tolerance, for the classic and statistical decisions, and the deviation and detection of each bit.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "abft/abft_config.hpp"
#include "abft/fp_checksum.hpp"
#include "abft/fp_detection.hpp"
#include "abft/trials/fp_abft_trials.hpp"
#include "arch/config_error.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/option_checks.hpp"

namespace saffire::cli {
namespace {

struct FpAbftOptions {
  ArrayOptions array;
  std::int64_t m = 64, n = 64, k = 256;
  int gemms = 10, flips_per_bit = 4;
  std::uint64_t seed = 1;
  std::string tolerances = "1,0.3,0.1,0.03,0.01,0.003,0.001";
  std::string component = "q";
  std::string abft_config;
  std::optional<std::string> fp_bound;  // overrides [abft] fp_bound
  std::optional<double> fp_lambda;      // overrides [abft] fp_lambda
  bool json = false;
};

std::vector<double> parse_tolerances(const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    double v = 0;
    std::size_t used = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) throw ConfigError("--tolerances: expected numbers > 0, got '" + item + "'");
    abft::validate_fp_tolerance(v, "--tolerances");
    out.push_back(v);
  }
  if (out.empty()) throw ConfigError("--tolerances: give at least one");
  return out;
}

void run_fp_abft(const FpAbftOptions& o) {
  const arch::ArrayConfig cfg = o.array.resolve();
  abft::FpTrialSpec spec;
  spec.numerics = cfg.numerics;
  spec.order = models::accumulation_order(cfg);
  spec.tile_cols = cfg.cols;
  spec.shape = {o.m, o.n, o.k};
  spec.gemms = o.gemms;
  spec.flips_per_bit = o.flips_per_bit;
  spec.seed = o.seed;
  spec.tolerances = parse_tolerances(o.tolerances);
  try {
    spec.component = models::parse_component(o.component);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("--component: ") + e.what());
  }
  if (!o.abft_config.empty()) spec.abft = abft::load_abft_config(o.abft_config);
  if (o.fp_bound) spec.abft.fp_bound = *o.fp_bound == "probabilistic" ? abft::FpBound::Probabilistic : abft::FpBound::Deterministic;
  if (o.fp_lambda) spec.abft.fp_lambda = *o.fp_lambda;
  spec.abft.validate();
  const abft::FpTrialResult r = abft::run_fp_abft_trials(spec);
  const abft::RoundingBound rb = abft::rounding_bound(spec.numerics, spec.order, o.k, abft::bound_model(spec.abft));
  const bool probabilistic = spec.abft.fp_bound == abft::FpBound::Probabilistic;
  if (o.json) {
    nlohmann::json rows = nlohmann::json::array(), bits = nlohmann::json::array();
    for (const abft::FpToleranceRow& t : r.by_tolerance)
      rows.push_back({{"tolerance", t.c}, {"checks", t.checks}, {"false_alarm_checks", t.false_alarm_checks},
                      {"gemms", t.gemms}, {"false_alarm_gemms_classic", t.false_alarm_gemms_classic},
                      {"false_alarm_gemms_statistical", t.false_alarm_gemms_statistical}, {"flips", t.flips},
                      {"harmful", t.harmful}, {"missed_classic", t.missed_classic},
                      {"missed_statistical", t.missed_statistical}, {"harmful_missed_classic", t.harmful_missed_classic},
                      {"harmful_missed_statistical", t.harmful_missed_statistical}});
    for (const abft::FpBitRow& b : r.by_bit)
      bits.push_back({{"bit", b.bit}, {"field", faults::to_string(b.field)}, {"flips", b.flips}, {"harmful", b.harmful},
                      {"nonfinite", b.nonfinite}, {"median_relative", b.median_relative},
                      {"max_relative", b.max_relative}, {"detected_classic", b.detected_classic},
                      {"detected_statistical", b.detected_statistical}});
    const nlohmann::json j = {{"pe", arch::describe(cfg.numerics)}, {"operand_type", arch::to_string(cfg.numerics.operand)},
                              {"accumulator_type", arch::to_string(cfg.numerics.accumulator)},
                              {"output_buffer_type", arch::to_string(cfg.numerics.output_buffer)},
                              {"fma", cfg.numerics.fma}, {"rows", cfg.rows}, {"cols", cfg.cols},
                              {"dataflow", arch::to_string(cfg.dataflow)}, {"m", o.m}, {"n", o.n}, {"k", o.k},
                              {"gemms", o.gemms}, {"flips_per_bit", o.flips_per_bit}, {"seed", o.seed},
                              {"component", o.component}, {"rounding_steps", r.rounding_steps}, {"u", rb.u},
                              {"gamma", rb.gamma}, {"fp_bound", abft::to_string(spec.abft.fp_bound)},
                              {"fp_lambda", spec.abft.fp_lambda}, {"bound_failure_per_output", rb.failure},
                              {"worst_fault_free_ratio", r.worst_fault_free_ratio},
                              {"by_tolerance", rows}, {"by_bit", bits}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("saffire fp-abft: {} GEMMs {}x{}x{} on a {}x{} {} array, {}\n", o.gemms, o.m, o.n, o.k, cfg.rows, cfg.cols,
             arch::to_string(cfg.dataflow), arch::describe(cfg.numerics));
  if (probabilistic) {
    fmt::print("  bound               probabilistic (Higham & Mary 2019): tau = c * gamma~_{}(lambda = {:g}) * sum|x||w| "
               "(u = 2^{}, gamma~ = {:.3g}; an output exceeds it with probability <= {:.3g}); fault-free worst |d| / tau = {:.3g}\n",
               r.rounding_steps, spec.abft.fp_lambda, static_cast<int>(std::log2(rb.u)), rb.gamma, rb.failure,
               r.worst_fault_free_ratio);
  } else {
    fmt::print("  bound               tau = c * gamma_{} * sum|x||w| (u = 2^{}, gamma = {:.3g}); fault-free worst |d| / tau = {:.3g}\n",
               r.rounding_steps, static_cast<int>(std::log2(rb.u)), rb.gamma, r.worst_fault_free_ratio);
  }
  fmt::print("  {:>8}  {:>11}  {:>11}  {:>11}  {:>9}  {:>11}  {:>11}  {:>14}\n", "c", "false/check", "false/GEMM",
             "false/GEMM", "harmful", "missed", "missed", "harmful missed");
  fmt::print("  {:>8}  {:>11}  {:>11}  {:>11}  {:>9}  {:>11}  {:>11}  {:>14}\n", "", "", "classic", "statistical",
             "flips", "classic", "statistical", "classic/stat");
  for (const abft::FpToleranceRow& t : r.by_tolerance)
    fmt::print("  {:>8.3g}  {:>11.3g}  {:>11.3g}  {:>11.3g}  {:>4}/{:<4}  {:>11.3g}  {:>11.3g}  {:>6}/{:<6}\n", t.c,
               static_cast<double>(t.false_alarm_checks) / static_cast<double>(t.checks),
               static_cast<double>(t.false_alarm_gemms_classic) / static_cast<double>(t.gemms),
               static_cast<double>(t.false_alarm_gemms_statistical) / static_cast<double>(t.gemms), t.harmful, t.flips,
               static_cast<double>(t.missed_classic) / static_cast<double>(std::max<std::int64_t>(t.flips, 1)),
               static_cast<double>(t.missed_statistical) / static_cast<double>(std::max<std::int64_t>(t.flips, 1)),
               t.harmful_missed_classic, t.harmful_missed_statistical);
  fmt::print("  by bit (classic detection at c = {:g}):\n", spec.tolerances.front());
  fmt::print("    {:>3}  {:<8}  {:>6}  {:>8}  {:>10}  {:>10}  {:>9}\n", "bit", "field", "flips", "harmful", "median", "max",
             "detected");
  for (const abft::FpBitRow& b : r.by_bit)
    fmt::print("    {:>3}  {:<8}  {:>6}  {:>8}  {:>10.3g}  {:>10.3g}  {:>9}\n", b.bit, faults::to_string(b.field), b.flips,
               b.harmful, b.median_relative, b.max_relative, b.detected_classic.front());
}

}  // namespace

void add_fp_abft_command(CLI::App& app) {
  auto o = std::make_shared<FpAbftOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fp-abft", "Floating-point checksums with a rounding tolerance: false alarms and misses of accumulator bit flips");
  o->array.add_to(*cmd);
  o->array.add_numeric_types_to(*cmd);
  cmd->add_option("--m", o->m, "rows of X and Y")->capture_default_str();
  cmd->add_option("--n", o->n, "columns of W and Y")->capture_default_str();
  cmd->add_option("--k", o->k, "reduction dimension")->capture_default_str();
  cmd->add_option("--gemms", o->gemms, "random GEMMs")->capture_default_str();
  cmd->add_option("--flips-per-bit", o->flips_per_bit, "single-flip trials per GEMM and accumulator bit")->capture_default_str();
  cmd->add_option("--seed", o->seed, "operand and site seed")->capture_default_str()->check(unsigned_integer());
  cmd->add_option("--tolerances", o->tolerances, "comma-separated tolerances c > 0 (multiples of the rounding bound)")
      ->capture_default_str();
  cmd->add_option("--component", o->component, "whose statistical constants decide (q, k, v, o, gate, up, down, qk, pv)")
      ->capture_default_str();
  cmd->add_option("--abft-config", o->abft_config, "TOML file with an [abft] table (statistical constants, fp_bound, fp_lambda)");
  cmd->add_option("--fp-bound", o->fp_bound,
                  "the checks' rounding bound: deterministic (gamma_n, worst case) or probabilistic (Higham & Mary "
                  "2019, lambda sqrt(n) u) (overrides [abft] fp_bound)")
      ->check(CLI::IsMember({"deterministic", "probabilistic"}));
  cmd->add_option("--fp-lambda", o->fp_lambda, "the probabilistic bound's lambda > 0 (overrides [abft] fp_lambda, default 6)");
  cmd->add_flag("--json", o->json, "print one JSON object on stdout");
  cmd->callback([o] { run_fp_abft(*o); });
}

}  // namespace saffire::cli
