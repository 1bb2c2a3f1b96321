#pragma once
// --precision of the model commands (eval, generate): fp32, w8a8, or a floating-point PE type (fp16, bf16,
// fp8 = fp8-e4m3, fp8-e5m2) whose GEMMs run through GemmEngine::numeric_gemm on the configured array with
// that operand type (accumulator: [arch] accumulator_type / --accumulator-type, FP32 by default); and HEAL's
// mitigations (--int16-qkv, --compensated), floating-point precisions only.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "models/llm/transformer.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/engine_factory.hpp"

namespace saffire::cli {

/// The accepted --precision names.
std::vector<std::string> precision_names();

/// Registers --operand-type/--accumulator-type/... (through `array`), --int16-qkv and --compensated.
void add_float_pe_options(CLI::App& cmd, ArrayOptions& array, models::llm::HealOptions& heal);

/// ConfigError naming the option when a mitigation is asked for without floating-point PEs.
void check_heal_options(const models::llm::InferenceOptions& inf);

/// The engine of a floating-point precision (`engine`: cpu or array; others are refused naming --engine),
/// eo.array set to the configured array with the precision's operand type.
std::unique_ptr<models::GemmEngine> make_float_pe_engine(const std::string& engine, sim::EngineOptions& eo,
                                                         const ArrayOptions& array, models::llm::Precision precision);

}  // namespace saffire::cli
