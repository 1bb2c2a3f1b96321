#include "sim/engine_stack.hpp"

#include <stdexcept>

#include "arch/config_error.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/fault_injecting_engine.hpp"

namespace saffire::sim {
namespace {

std::unique_ptr<models::GemmEngine> make_base(const std::string& engine, const EngineOptions& options) {
  try {
    return make_gemm_engine(engine, options);
  } catch (const std::invalid_argument& e) {  // e.g. an unknown --kernel
    throw ConfigError(e.what());
  }
}

}  // namespace

std::unique_ptr<models::GemmEngine> make_faulty_engine(const std::string& engine, const EngineOptions& options,
                                                       std::shared_ptr<faults::FaultPlan> plan) {
  if (engine == "array") {
    // The SystemC array injects in its own accumulators.
    auto array = std::make_unique<ArrayGemmEngine>(options.array, options.fidelity, options.threads, options.kernel,
                                                   options.memory);
    array->set_fault_plan(std::move(plan));
    return array;
  }
  return std::make_unique<faults::FaultInjectingEngine>(make_base(engine, options), options.array, std::move(plan));
}

EngineStack build_engine_stack(const EngineStackSpec& spec) {
  EngineStack stack;
  if (!spec.plan) {
    if (spec.abft || spec.realm_clamp) throw std::invalid_argument("build_engine_stack: ABFT and the clamp need a fault plan");
    stack.engine = make_base(spec.engine, spec.options);
    return stack;
  }
  stack.engine = make_faulty_engine(spec.engine, spec.options, spec.plan);
  if (spec.abft) {
    auto guarded = std::make_unique<abft::AbftEngine>(std::move(stack.engine), make_base(spec.engine, spec.options),
                                                     spec.plan, spec.options.array, *spec.abft);
    if (spec.energy) guarded->set_energy_model(spec.energy->tech, spec.energy->v, spec.energy->v_nominal, spec.energy->memory);
    stack.abft = guarded.get();
    stack.engine = std::move(guarded);
  }
  if (spec.realm_clamp) {
    stack.clamp = std::make_unique<faults::ReaLMClampHook>(spec.options.array, spec.plan, spec.granularity);
    if (abft::AbftEngine* a = stack.abft) stack.clamp->skip_when([a] { return a->rewrote_last(); });
  }
  return stack;
}

}  // namespace saffire::sim
