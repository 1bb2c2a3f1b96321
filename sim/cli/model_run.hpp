#pragma once
// The engines of the commands that evaluate a model under a fault campaign (eval, tasks): their shared options
// (--engine, --precision, quantization, kernel, threads, fidelity, the array, memory, faults, ABFT and HEAL's
// mitigations), the clean run's engine, and the campaign's faulty stack. Everything the options can get wrong is
// refused by prepare_model_run, before the first model pass (throwing after a SystemC run is unsafe under ASan).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "abft/engine/abft_engine.hpp"
#include "arch/tech/tech_table.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/transformer.hpp"
#include "sim/cli/abft_options.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/fault_options.hpp"
#include "sim/cli/memory_options.hpp"
#include "sim/engine_stack.hpp"
#include "sim/memory/memory_config.hpp"

namespace saffire::cli {

struct ModelRunOptions {
  std::string engine = "cpu";
  std::string precision = "fp32";
  std::string weights = "per-channel";
  std::string activations = "per-token";
  bool fp32_attention = false;
  std::string kernel = "auto";
  int threads = 1;
  std::string fidelity = "fold";
  ArrayOptions array;
  MemoryOptions memory;
  FaultOptions faults;
  AbftOptions abft;
  models::llm::HealOptions heal;

  /// Registers the options above on `cmd` (the ABFT options only `with_abft`: generate runs no checks).
  void add_to(CLI::App& cmd, bool with_abft = true);
  bool w8a8() const { return precision == "w8a8"; }
};

struct ModelRun {
  models::llm::InferenceOptions inf;
  memory::MemoryConfig memory_cfg;                // the run's resolved [memory]
  sim::EngineStackSpec spec;                      // the clean run's; build_campaign_stack adds the campaign
  std::unique_ptr<models::GemmEngine> engine;     // the clean run's (null: FP32 runs no GEMM on an engine)
  bool campaign = false;                          // faults of a model, SRAM errors ([memory] sram_voltage), or both
  std::shared_ptr<faults::FaultPlan> plan;        // the campaign's (null without one)
  arch::TechTable tech;                           // --tech / --node's table, loaded (and checked) before any pass
  /// The engine options; eo().array is the run's resolved [arch].
  const sim::EngineOptions& eo() const { return spec.options; }
};

/// --precision, the quantization options and HEAL's mitigations as the model's InferenceOptions; ConfigError
/// naming the option when a mitigation is asked for without floating-point PEs.
models::llm::InferenceOptions inference_options(const ModelRunOptions& o);

/// Resolves `o` for `command` (e.g. "eval"), builds the clean engine and, with a campaign, its plan for the model's
/// layers; refuses (ConfigError naming the option) a campaign the precision cannot run, ABFT the PEs cannot take,
/// and --abft without a campaign.
ModelRun prepare_model_run(const ModelRunOptions& o, const models::llm::LanguageModel& lm, const char* command);

/// The campaign's faulty stack: the clean spec with the plan, ABFT (priced on INT8 PEs, with the memory system in
/// its own supply domains) and ReaLM's clamp on re-quantized INT8 outputs.
sim::EngineStack build_campaign_stack(const ModelRunOptions& o, const ModelRun& run);

/// What the ABFT engine decided and what it cost (energy only on INT8 PEs), for --json; per token of `tokens`.
nlohmann::json abft_report_json(const abft::AbftEngine& abft, std::int64_t tokens, bool with_energy);

}  // namespace saffire::cli
