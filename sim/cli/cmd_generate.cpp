// saffire generate: text from a llama2.c model, FP32 or W8A8 with every quantized GEMM on a GemmEngine.
#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "arch/config_error.hpp"
#include "models/llm/generate.hpp"
#include "models/llm/language_model.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/fault_options.hpp"
#include "sim/cli/memory_options.hpp"
#include "sim/cli/model_run.hpp"
#include "sim/cli/option_checks.hpp"
#include "sim/cli/precision_options.hpp"
#include "sim/cli/array_totals_json.hpp"
#include "sim/engine_stack.hpp"
#include "sim/array_engine.hpp"
#include "sim/engine_factory.hpp"
#include "sim/memory/memory_model_factory.hpp"

namespace saffire::cli {
namespace {

struct GenerateOptions : ModelRunOptions {  // its ABFT options are not registered: generate runs no checks
  std::string model, tokenizer;
  std::string prompt = "Once upon a time";
  int steps = 256;
  float temperature = 0.0f;
  float top_p = 1.0f;
  std::uint64_t seed = 42;
  bool json = false;
};

void run_generate(const GenerateOptions& o) {
  namespace llm = models::llm;
  // W8A8 quantizes the projections straight from the mapped file; FP32 needs an FP32 copy.
  const auto storage = o.precision == "w8a8" ? llm::WeightStorage::MappedProjections : llm::WeightStorage::Fp32;
  const llm::LanguageModel lm = llm::load_language_model(o.model, o.tokenizer, storage);
  const llm::InferenceOptions inf = inference_options(o);

  // FP32 runs no GEMM on an engine; W8A8 runs all nine quantized GEMM kinds through it.
  std::unique_ptr<models::GemmEngine> engine;
  std::shared_ptr<faults::FaultPlan> plan;
  std::unique_ptr<faults::ReaLMClampHook> clamp;
  if (o.faults.enabled()) check_campaign_precision(inf, o.faults.model_name(), /*sram_faults=*/false);
  if (llm::on_float_pes(inf.precision)) {
    sim::EngineOptions eo;
    eo.kernel = o.kernel;
    eo.threads = o.threads;
    eo.fidelity = sim::parse_fidelity(o.fidelity);
    // The array's folds wait for their operands, in words of the PEs' formats (--memory scalesim|dram, [memory]).
    memory::MemoryConfig memory_cfg = o.memory.resolve(o.array.config_path());
    if (memory_cfg.sram_voltage)
      throw ConfigError(memory_cfg.where("sram_voltage") + ": SRAM errors are injected by eval's campaigns, not by generate");
    engine = make_float_pe_engine(o.engine, eo, o.array, inf.precision, &memory_cfg);
    if (o.faults.enabled()) {  // the plan's faults in the array's accumulators (ReaLM's INT8 clamp does not apply)
      plan = o.faults.make_plan(eo.array, o.array.config_path(), lm.checkpoint.config().n_layers);
      sim::EngineStackSpec spec;
      spec.engine = o.engine;
      spec.options = eo;
      spec.plan = plan;
      engine = sim::build_engine_stack(spec).engine;
    }
  }
  if (inf.precision == llm::Precision::W8A8) {
    sim::EngineOptions eo;
    eo.kernel = o.kernel;
    eo.threads = o.threads;
    eo.array = o.array.resolve();
    require_int8_array(eo.array, "generate");
    eo.fidelity = sim::parse_fidelity(o.fidelity);
    // The array's folds wait for their operands as the memory model says (--memory scalesim|dram, [memory]).
    const memory::MemoryConfig memory_cfg = o.memory.resolve(o.array.config_path());
    if (memory_cfg.sram_voltage)
      throw ConfigError(memory_cfg.where("sram_voltage") + ": SRAM errors are injected by eval's campaigns, not by generate");
    if (memory_cfg.model != "ideal") eo.memory = memory::make_memory_model(memory_cfg);
    if (o.faults.enabled()) plan = o.faults.make_plan(eo.array, o.array.config_path(), lm.checkpoint.config().n_layers);
    sim::EngineStackSpec spec;
    spec.engine = o.engine;
    spec.options = eo;
    spec.plan = plan;
    spec.realm_clamp = plan && o.faults.realm_clamp();
    spec.granularity = inf.quant.activations;
    sim::EngineStack stack = sim::build_engine_stack(spec);
    engine = std::move(stack.engine);
    clamp = std::move(stack.clamp);
  }
  llm::Transformer model(lm.checkpoint, inf, engine.get());
  if (clamp) model.set_hook(clamp.get());
  llm::SamplerOptions so;
  so.temperature = o.temperature;
  so.top_p = o.top_p;
  so.seed = o.seed;
  llm::Sampler sampler(lm.checkpoint.config().vocab_size, so);

  const auto stream = [](std::string_view p) {
    std::fwrite(p.data(), 1, p.size(), stdout);
    std::fflush(stdout);
  };
  const llm::GenerationResult r = llm::generate(model, lm.tokenizer, sampler, o.prompt, o.steps,
                                                o.json ? std::function<void(std::string_view)>{} : stream);
  if (o.json) {
    // One object: the tokens (BOS, prompt, generated) and text, and the array's work when it ran the GEMMs.
    nlohmann::json j = {{"text", r.text},
                        {"tokens", r.tokens},
                        {"prompt_tokens", r.prompt_tokens},
                        {"precision", o.precision},
                        {"engine", engine ? o.engine : std::string("none")},
                        {"decode_seconds", r.decode_seconds}};
    if (llm::on_float_pes(inf.precision)) {
      j["int16_qkv"] = inf.heal.int16_qkv;
      j["compensated"] = inf.heal.compensated;
    }
    if (plan) j["faults"] = plan->fault_count();
    add_array_totals(j, engine.get());
    fmt::print("{}\n", j.dump());
    return;
  }
  std::fputc('\n', stdout);
  std::fflush(stdout);  // the text before the stats on stderr
  const int generated = static_cast<int>(r.tokens.size()) - r.prompt_tokens;
  fmt::print(stderr, "[{}{}] prompt {} tokens, prefill {:.3f} s; {} generated, decode {:.1f} tok/s\n", o.precision,
             engine ? " on " + o.engine : std::string(), r.prompt_tokens, r.prefill_seconds, generated,
             r.decode_steps > 0 ? r.decode_steps / std::max(r.decode_seconds, 1e-9) : 0.0);
  if (plan) fmt::print(stderr, "[faults] {} injected ({})\n", plan->fault_count(), o.faults.describe(inf.precision == llm::Precision::W8A8));
  const auto* array = dynamic_cast<const sim::ArrayGemmEngine*>(engine.get());
  if (array && array->memory_model()) {
    const sim::ArrayEngineTotals& t = array->totals();
    fmt::print(stderr, "[memory] {}: {} GEMMs, {} compute + {} stall = {} array cycles\n", array->memory_model()->name(),
               t.gemms, t.cycles, t.stall_cycles, t.cycles + t.stall_cycles);
  }
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand("generate", "Generate text with a llama2.c model (FP32 or W8A8 on an engine)");
  cmd->add_option("--model", o->model, "llama2.c checkpoint (legacy, v1, v2 Q8_0), Hugging Face folder (config.json, safetensors, tokenizer.json) or llama GGUF file; default stories260K.bin in the model dir");
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.bin or tokenizer.json; default tok512.bin in the model dir (a Hugging Face folder: its tokenizer.json; a GGUF file: its tokenizer.ggml.* keys)");
  cmd->add_option("--prompt", o->prompt, "prompt text (BOS is prepended)")->capture_default_str();
  cmd->add_option("--steps", o->steps, "forward positions including the prompt (llama2.c -n)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--temperature", o->temperature, "0 = greedy")->capture_default_str()->check(finite_in(0, 100));
  cmd->add_option("--top-p", o->top_p, "nucleus sampling mass (1 = off)")
      ->capture_default_str()
      ->check(finite_above(0, 1));
  cmd->add_option("--seed", o->seed, "sampling seed")->capture_default_str()->check(unsigned_integer());
  o->add_to(*cmd, /*with_abft=*/false);
  cmd->add_flag("--json", o->json, "print one JSON object (text, tokens, the array's GEMMs, cycles and MACs) instead of streaming the text");
  cmd->callback([o] { run_generate(*o); });
}

}  // namespace saffire::cli
