// saffire eval: perplexity of a llama2.c model on a text (paragraphs split at blank lines), FP32 or W8A8.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "arch/config_error.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/perplexity.hpp"
#include "sim/array_engine.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/fault_options.hpp"
#include "sim/engine_factory.hpp"

namespace saffire::cli {
namespace {

struct EvalOptions {
  std::string model, tokenizer, text;
  int ctx = 256;
  int paragraphs = 200;
  std::string engine = "cpu";
  std::string precision = "fp32";
  std::string weights = "per-channel";
  std::string activations = "per-token";
  bool fp32_attention = false;
  bool compare_fp32 = false;
  std::string kernel = "auto";
  int threads = 1;
  std::string fidelity = "fold";
  ArrayOptions array;
  FaultOptions faults;
  bool json = false;
};

void run_eval(const EvalOptions& o) {
  namespace llm = models::llm;
  const llm::LanguageModel lm = llm::load_language_model(o.model, o.tokenizer);
  const auto text_path = llm::resolve_model_file(llm::kDefaultTextFile, o.text);
  const std::string text = llm::read_file(text_path);
  if (o.ctx > lm.checkpoint.config().seq_len) {
    throw ConfigError("--ctx " + std::to_string(o.ctx) + " exceeds the model's context of " +
                      std::to_string(lm.checkpoint.config().seq_len));
  }

  llm::InferenceOptions inf;
  inf.precision = llm::parse_precision(o.precision);
  inf.quant.weights = llm::parse_weight_granularity(o.weights);
  inf.quant.activations = llm::parse_activation_granularity(o.activations);
  inf.quant.quantize_attention = !o.fp32_attention;
  std::unique_ptr<models::GemmEngine> engine;
  sim::EngineOptions eo;
  eo.kernel = o.kernel;
  eo.threads = o.threads;
  eo.array = o.array.resolve();
  eo.fidelity = sim::parse_fidelity(o.fidelity);
  const auto make_engine = [&]() {
    try {
      return sim::make_gemm_engine(o.engine, eo);
    } catch (const std::invalid_argument& e) {  // e.g. an unknown --kernel
      throw ConfigError(e.what());
    }
  };
  if (inf.precision == llm::Precision::W8A8) engine = make_engine();
  if (o.faults.enabled() && inf.precision != llm::Precision::W8A8)
    throw ConfigError("--ber: faults go into INT32 accumulators, so they need --precision w8a8");

  llm::PerplexityOptions po;
  po.ctx = o.ctx;
  po.paragraphs = o.paragraphs;
  po.keep_predictions = o.compare_fp32 || o.faults.enabled();
  // Progress on a terminal only, never with --json.
  const bool show_progress = !o.json && isatty(fileno(stderr)) != 0;
  const auto progress = [show_progress](const char* what) {
    return [show_progress, what](int done, int total) {
      if (!show_progress) return;
      fmt::print(stderr, "\r{} {}/{} paragraphs", what, done, total);
      if (done == total) fmt::print(stderr, "\n");
    };
  };

  llm::Transformer model(lm.checkpoint, inf, engine.get());
  const llm::PerplexityResult r =
      llm::evaluate_perplexity(model, lm.tokenizer, text, po, progress(o.precision.c_str()));
  const double tps = static_cast<double>(r.tokens_processed) / std::max(r.seconds, 1e-9);

  // Fault campaign: the same evaluation again with the plan's faults injected into the accumulators.
  nlohmann::json fault_json;
  if (o.faults.enabled()) {
    auto plan = o.faults.make_plan();
    auto faulty_engine = FaultOptions::inject(make_engine(), eo.array, plan);
    std::unique_ptr<sim::ReaLMClampHook> clamp;
    llm::Transformer faulty(lm.checkpoint, inf, faulty_engine.get());
    if (o.faults.realm_clamp()) {
      clamp = std::make_unique<sim::ReaLMClampHook>(eo.array, plan, inf.quant.activations);
      faulty.set_hook(clamp.get());
    }
    const llm::PerplexityResult f = llm::evaluate_perplexity(faulty, lm.tokenizer, text, po, progress("faulty"));
    const bool crash_like = !std::isfinite(f.ppl);
    fault_json = {{"faults", plan->fault_count()},
                  {"ppl_clean", r.ppl},
                  {"ppl", f.ppl},
                  {"ppl_delta", f.ppl - r.ppl},
                  {"top1_agreement", llm::top1_agreement(f.predictions, r.predictions)},
                  {"outcome", crash_like ? "crash-like" : (f.ppl == r.ppl ? "masked" : "sdc")},
                  {"clamped", clamp ? clamp->clamped() : 0},
                  {"campaign", o.faults.describe()}};
  }

  nlohmann::json j = {{"ppl", r.ppl},
                      {"mean_nll", r.mean_nll},
                      {"tokens_scored", r.tokens_scored},
                      {"paragraphs", r.paragraphs},
                      {"tokens_processed", r.tokens_processed},
                      {"seconds", r.seconds},
                      {"tokens_per_second", tps},
                      {"precision", o.precision},
                      {"engine", engine ? o.engine : std::string("none")},
                      {"ctx", o.ctx},
                      {"model", lm.model_path.string()},
                      {"tokenizer", lm.tokenizer_path.string()},
                      {"text", text_path.string()}};
  if (inf.precision == llm::Precision::W8A8) {
    j["weights"] = o.weights;
    j["activations"] = o.activations;
    j["quantize_attention"] = inf.quant.quantize_attention;
    if (const auto* array = dynamic_cast<const sim::ArrayGemmEngine*>(engine.get())) {
      j["array_gemms"] = array->totals().gemms;
      j["array_cycles"] = array->totals().cycles;
      j["array_macs"] = array->totals().macs;
    }
  }
  if (o.compare_fp32 && inf.precision != llm::Precision::FP32) {
    llm::Transformer reference(lm.checkpoint);
    const llm::PerplexityResult ref = llm::evaluate_perplexity(reference, lm.tokenizer, text, po, progress("fp32"));
    j["fp32_ppl"] = ref.ppl;
    j["top1_agreement_fp32"] = llm::top1_agreement(r.predictions, ref.predictions);
  }

  if (!fault_json.is_null()) {
    j["ppl"] = fault_json["ppl"];
    for (const char* key : {"faults", "ppl_clean", "ppl_delta", "top1_agreement", "outcome", "clamped", "campaign"})
      j[key] = fault_json[key];
  }
  if (o.json) {
    fmt::print("{}\n", j.dump());
    return;
  }
  fmt::print("saffire eval: {} on {} ({} paragraphs, ctx {})\n", lm.model_path.filename().string(),
             text_path.filename().string(), r.paragraphs, o.ctx);
  fmt::print("  precision         {}{}\n", o.precision,
             inf.precision == llm::Precision::W8A8
                 ? fmt::format(" (weights {}, activations {}, attention products {}) on engine {}", o.weights,
                               o.activations, inf.quant.quantize_attention ? "INT8" : "FP32", o.engine)
                 : std::string());
  if (!fault_json.is_null()) {
    fmt::print("  faults            {} ({})\n", fault_json["faults"].get<std::int64_t>(),
               fault_json["campaign"].get<std::string>());
    fmt::print("  perplexity        {:.4f} with faults, {:.4f} clean (delta {:+.4f}), outcome {}\n",
               fault_json["ppl"].get<double>(), r.ppl, fault_json["ppl_delta"].get<double>(),
               fault_json["outcome"].get<std::string>());
    fmt::print("  top-1 agreement   {:.2f} % with the clean run\n", 100.0 * fault_json["top1_agreement"].get<double>());
  }
  fmt::print("  perplexity        {:.4f}{}\n", r.ppl, fault_json.is_null() ? "" : " (clean)");
  fmt::print("  mean NLL          {:.5f} nats over {} scored tokens\n", r.mean_nll, r.tokens_scored);
  if (j.contains("fp32_ppl")) {
    fmt::print("  FP32 perplexity   {:.4f}\n", j["fp32_ppl"].get<double>());
    fmt::print("  top-1 agreement   {:.2f} % with FP32\n", 100.0 * j["top1_agreement_fp32"].get<double>());
  }
  if (j.contains("array_cycles")) {
    fmt::print("  array             {} GEMMs, {} cycles, {} MACs\n", j["array_gemms"].get<std::int64_t>(),
               j["array_cycles"].get<std::int64_t>(), j["array_macs"].get<std::int64_t>());
  }
  fmt::print("  speed             {:.0f} tokens/s ({} tokens in {:.2f} s)\n", tps, r.tokens_processed, r.seconds);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Perplexity of a llama2.c model on a text (FP32 or W8A8 on an engine)");
  cmd->add_option("--model", o->model, "checkpoint (llama2.c legacy or v1); default stories260K.bin in the model dir");
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.bin; default tok512.bin in the model dir");
  cmd->add_option("--text", o->text, "evaluation text; default tinystories_val.txt in the model dir");
  cmd->add_option("--ctx", o->ctx, "tokens per paragraph, BOS included")
      ->capture_default_str()
      ->check(CLI::Range(2, 1 << 20));
  cmd->add_option("--paragraphs", o->paragraphs, "paragraphs to evaluate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--engine", o->engine, "GEMM engine for W8A8")
      ->capture_default_str()
      ->check(CLI::IsMember(sim::gemm_engine_names()));
  cmd->add_option("--precision", o->precision, "fp32 or w8a8")
      ->capture_default_str()
      ->check(CLI::IsMember({"fp32", "w8a8"}));
  cmd->add_option("--weights", o->weights, "W8A8 weight scales")
      ->capture_default_str()
      ->check(CLI::IsMember({"per-channel", "per-tensor"}));
  cmd->add_option("--activations", o->activations, "W8A8 activation scales")
      ->capture_default_str()
      ->check(CLI::IsMember({"per-token", "per-tensor"}));
  cmd->add_flag("--fp32-attention", o->fp32_attention, "W8A8: keep QK^T and PV in FP32");
  cmd->add_flag("--compare-fp32", o->compare_fp32, "W8A8: also run FP32 and report its PPL and top-1 agreement");
  cmd->add_option("--kernel", o->kernel, "INT8 kernel of the cpu engine / array fold math")->capture_default_str();
  cmd->add_option("--threads", o->threads, "engine threads (0 = all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--fidelity", o->fidelity, "array engine: fold or pe")
      ->capture_default_str()
      ->check(CLI::IsMember({"fold", "pe"}));
  o->array.add_to(*cmd);
  o->faults.add_to(*cmd);
  cmd->add_flag("--json", o->json, "print one JSON object on stdout");
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace saffire::cli
