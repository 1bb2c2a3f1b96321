#pragma once
// Command-line options of a bitflip fault campaign, shared by eval and generate:
// --ber, --bit / --bit-range, --fault-seed, --components, --layers, --fault-stage, --no-realm-clamp.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "arch/array_config.hpp"
#include "models/engine/gemm_engine.hpp"
#include "models/llm/quantize.hpp"
#include "sim/fault_plan.hpp"
#include "sim/realm_clamp_hook.hpp"

namespace saffire::cli {

class FaultOptions {
 public:
  void add_to(CLI::App& cmd);
  /// True when --ber > 0.
  bool enabled() const { return m_ber > 0.0; }
  /// A fresh plan (its own fault log) from the options; throws ConfigError on bad values.
  std::shared_ptr<sim::FaultPlan> make_plan() const;
  /// Makes `engine` inject the plan's faults: inside the SystemC array for the array engine, after
  /// the GEMM with the array's semantics for the others.
  static std::unique_ptr<models::GemmEngine> inject(std::unique_ptr<models::GemmEngine> engine,
                                                    const arch::ArrayConfig& array, std::shared_ptr<sim::FaultPlan> plan);
  bool realm_clamp() const { return !m_no_realm_clamp; }
  /// JSON description of the campaign, for reports.
  std::string describe() const;

 private:
  double m_ber = 0.0;
  int m_bit = -1;
  std::string m_bit_range;
  std::uint64_t m_seed = 1;
  std::string m_components = "all";
  std::string m_layers = "all";
  std::string m_stage = "both";
  bool m_no_realm_clamp = false;
};

}  // namespace saffire::cli
