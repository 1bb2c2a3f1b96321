#pragma once
// The engine stack of a model run, built in one place for eval, generate, calibrate and sweep points:
//
//   [ReaLM clamp hook]  on the Transformer, for output-word fault models
//   [AbftEngine]        detection and recovery around the faulty engine (clean engine for nominal)
//   [faults]            the plan's faults: inside the SystemC array (array engine), or after the GEMM
//                       with the array's semantics (FaultInjectingEngine around cpu / cuda)
//   base engine         cpu | array | cuda (engine_factory.hpp)
//
// Usage:
//   EngineStackSpec spec;
//   spec.engine = "array"; spec.options = eo; spec.plan = plan; spec.abft = cfg;
//   EngineStack stack = build_engine_stack(spec);
//   llm::Transformer model(ckpt, inf, stack.engine.get());
//   if (stack.clamp) model.set_hook(stack.clamp.get());
#include <memory>
#include <optional>
#include <string>

#include "abft/abft_config.hpp"
#include "abft/engine/abft_engine.hpp"
#include "arch/tech/tech_table.hpp"
#include "models/llm/quantize.hpp"
#include "sim/engine_factory.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/faults/realm_clamp_hook.hpp"

namespace saffire::sim {

/// Energy accounting of the ABFT engine (AbftEngine::set_energy_model).
struct StackEnergy {
  arch::TechTable tech;
  double v = 0;          // the array's supply
  double v_nominal = 0;  // the nominal supply, same domain
  std::optional<arch::MemoryPricing> memory;  // the memory system's energy (its own supplies)
};

struct EngineStackSpec {
  std::string engine = "cpu";
  EngineOptions options;
  std::shared_ptr<faults::FaultPlan> plan;  // null: a clean run
  std::optional<abft::AbftConfig> abft;     // guard the faulty engine (needs a plan)
  std::optional<StackEnergy> energy;        // with abft: price the GEMMs
  bool realm_clamp = false;                 // ReaLM's clamp on re-quantized faulty outputs (needs a plan)
  models::llm::ActivationGranularity granularity = models::llm::ActivationGranularity::PerToken;
};

struct EngineStack {
  std::unique_ptr<models::GemmEngine> engine;     // what the model calls
  abft::AbftEngine* abft = nullptr;               // inside `engine`, when guarded
  std::unique_ptr<faults::ReaLMClampHook> clamp;  // for Transformer::set_hook, when asked for
};

/// The faulty engine: `engine` built by name with the plan's faults injected (inside the array for
/// "array", after the GEMM for the others). Throws ConfigError on a bad engine or kernel name.
std::unique_ptr<models::GemmEngine> make_faulty_engine(const std::string& engine, const EngineOptions& options,
                                                       std::shared_ptr<faults::FaultPlan> plan);

/// Builds the stack; throws ConfigError on a bad engine or kernel name, std::invalid_argument on an
/// inconsistent spec (ABFT or clamp without a plan).
EngineStack build_engine_stack(const EngineStackSpec& spec);

}  // namespace saffire::sim
