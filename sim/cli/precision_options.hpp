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
#include "sim/memory/memory_config.hpp"

namespace saffire::cli {

/// The accepted --precision names.
std::vector<std::string> precision_names();

/// Registers --operand-type/--accumulator-type/... (through `array`), --int16-qkv and --compensated.
void add_float_pe_options(CLI::App& cmd, ArrayOptions& array, models::llm::HealOptions& heal);

/// ConfigError naming the option when a mitigation is asked for without floating-point PEs.
void check_heal_options(const models::llm::InferenceOptions& inf);

/// ConfigError naming the option when a fault campaign cannot run at this precision: FP32 runs no GEMM on
/// PEs; floating-point PEs take output-word flips (bitflip, table) and the FP adder's timing model, not
/// stuck-at PEs (`fault_model`), SRAM errors (`sram_faults`) or HEAL's mitigations (GEMMs outside the
/// array's own formats, or three GEMMs under one identity).
void check_campaign_precision(const models::llm::InferenceOptions& inf, const std::string& fault_model,
                              bool sram_faults);

/// The memory system's words on floating-point PEs: [memory] input_word_bytes = the operand's bytes (fp16/bf16
/// 2, fp8 1), output_word_bytes = the output buffer's (fp32 4, fp16/bf16 2); a value the config or command line
/// gave that contradicts them is a ConfigError naming the key and `what` (e.g. "--precision bf16").
void set_float_pe_words(memory::MemoryConfig& cfg, const arch::PeNumerics& numerics, const std::string& what);

/// The engine of a floating-point precision (`engine`: cpu or array; others are refused naming --engine),
/// eo.array set to the configured array with the precision's operand type. With `memory` (the run's resolved
/// [memory]): its word sizes set by set_float_pe_words, and eo.memory made from it unless it is "ideal" (the
/// array engine's folds wait for their operands).
std::unique_ptr<models::GemmEngine> make_float_pe_engine(const std::string& engine, sim::EngineOptions& eo,
                                                         const ArrayOptions& array, models::llm::Precision precision,
                                                         memory::MemoryConfig* memory = nullptr);

}  // namespace saffire::cli
