// saffire eval: perplexity of a model on a text (paragraphs split at blank lines, or WikiText's sliding windows
// over the whole text), FP32 or W8A8.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/array_config_file.hpp"
#include "arch/config_error.hpp"
#include "arch/fault_site.hpp"
#include "arch/tech/tech_table.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/perplexity.hpp"
#include "sim/array_engine.hpp"
#include "abft/engine/abft_engine.hpp"
#include "sim/cli/abft_options.hpp"
#include "sim/cli/array_options.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/fault_options.hpp"
#include "sim/cli/array_memory_report.hpp"
#include "sim/cli/campaign_trace.hpp"
#include "sim/cli/memory_options.hpp"
#include "sim/cli/model_run.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "sim/memory/memory_traffic.hpp"
#include "sim/engine_stack.hpp"
#include "sim/cli/run_record.hpp"
#include "sim/cli/option_checks.hpp"
#include "sim/cli/precision_options.hpp"
#include "sim/cli/array_totals_json.hpp"
#include "sim/engine_factory.hpp"
#include "sim/faults/fault_deviation.hpp"
#include "traces/trace_writer.hpp"

namespace saffire::cli {
namespace {

struct EvalOptions : ModelRunOptions {
  std::string model, tokenizer, text;
  std::string protocol = "paragraphs";
  int ctx = 256;  // wikitext: the model's seq_len unless given
  int paragraphs = 200;
  int stride = 0;  // wikitext: 0 = ctx
  bool ctx_given = false, paragraphs_given = false, stride_given = false;
  bool compare_fp32 = false;
  std::string trace;  // --trace FILE: HDF5 trace of the campaign's faults
  bool json = false;
};

// Creates the campaign's trace with its run attributes (the array config, the eval settings, the
// fault model, and with ABFT its [abft] config, the [tech] table and the supply voltages of its
// energy model, as TOML) and the command record; done before the evaluations, so a bad path fails
// before the long run.
traces::TraceWriter open_fault_trace(const EvalOptions& o, const ModelRun& run, const models::llm::LanguageModel& lm,
                                     const std::filesystem::path& text_path) {
  const std::string settings = fmt::format(
      "[eval]\nmodel = {}\ntokenizer = {}\ntext = {}\nprecision = {}\nengine = {}\nweights = {}\n"
      "activations = {}\nfp32_attention = {}\nprotocol = {}\nctx = {}\nparagraphs = {}\nstride = {}\nkernel = {}\n"
      "fidelity = {}\n",
      toml_string(lm.model_path.string()), toml_string(lm.tokenizer_path.string()), toml_string(text_path.string()),
      toml_string(o.precision), toml_string(o.engine), toml_string(o.weights), toml_string(o.activations),
      o.fp32_attention, toml_string(o.protocol), o.ctx, o.paragraphs, o.stride, toml_string(o.kernel),
      toml_string(o.fidelity));
  // The default model files are data found outside the command line: recorded by reference.
  return open_campaign_trace(o.trace, "eval", settings, o, run, {lm.model_path, lm.tokenizer_path, text_path});
}

// "\r<what> done/total paragraphs" (or windows) on stderr, when shown.
class ParagraphProgress {
 public:
  ParagraphProgress(bool show, const char* unit) : m_show(show), m_unit(unit) {}
  std::function<void(int, int)> operator()(const char* what) const {
    return [show = m_show, unit = m_unit, what](int done, int total) {
      if (!show) return;
      fmt::print(stderr, "\r{} {}/{} {}", what, done, total, unit);
      if (done == total) fmt::print(stderr, "\n");
    };
  }

 private:
  bool m_show;
  const char* m_unit;
};

// The campaign's evaluation: the clean stack's spec with the plan, ABFT and clamp added; its report
// (faults, PPLs, outcome, deviation per component, ABFT decisions and energy) as JSON, and the trace rows.
nlohmann::json run_fault_campaign(const EvalOptions& o, const models::llm::LanguageModel& lm, const std::string& text,
                                  const models::llm::PerplexityOptions& po, const models::llm::InferenceOptions& inf,
                                  const ModelRun& run,
                                  const models::llm::PerplexityResult& r, traces::TraceWriter* trace,
                                  const ParagraphProgress& progress) {
  namespace llm = models::llm;
  const arch::ArrayConfig& array = run.eo().array;
  const std::shared_ptr<faults::FaultPlan>& plan = run.plan;
  nlohmann::json fault_json;
  const bool int8 = inf.precision == models::llm::Precision::W8A8;
  const sim::EngineStack stack = build_campaign_stack(o, run);
  const abft::AbftEngine* abft = stack.abft;
  const std::unique_ptr<faults::ReaLMClampHook>& clamp = stack.clamp;
  llm::Transformer faulty(lm.checkpoint, inf, stack.engine.get());
  if (clamp) faulty.set_hook(clamp.get());
  const llm::PerplexityResult f = llm::evaluate_perplexity(faulty, lm.tokenizer, text, po, progress("faulty"));
  const bool crash_like = !std::isfinite(f.ppl);
  fault_json = {{"faults", plan->fault_count()},
                {"ppl_clean", r.ppl},
                {"ppl", f.ppl},
                {"ppl_delta", f.ppl - r.ppl},
                {"top1_agreement", llm::top1_agreement(f.predictions, r.predictions)},
                {"outcome", crash_like ? "crash-like" : (f.ppl == r.ppl ? "masked" : "sdc")},
                {"clamped", clamp ? clamp->clamped() : 0},
                {"campaign", o.faults.describe(o.precision == "w8a8")}};
  if (plan->has_sram_faults()) {
    const memory::MemoryConfig mem = o.memory.resolve(o.array.config_path());
    fault_json["sram_faults"] = {{"sram_voltage", *mem.sram_voltage},
                                 {"bit_probability", mem.sram_failure_curve().probability(*mem.sram_voltage)},
                                 {"curve", mem.sram_failure_curve().describe()},
                                 {"words", plan->sram_fault_words()},
                                 {"bits", plan->sram_fault_bits()}};
  }
  nlohmann::json deviation = nlohmann::json::object();
  const faults::DeviationStats stats = faults::deviation_stats(plan->log());
  for (int c = 0; c < models::kNumComponents; ++c) {
    const faults::ComponentDeviation& d = stats[static_cast<std::size_t>(c)];
    if (d.faults == 0) continue;
    // Floating-point faults log no integer words (or the accumulator's encodings): only their count is known;
    // their deviation by bit is saffire gemm's (deviation_by_bit).
    if (!int8) {
      deviation[std::string(models::to_string(static_cast<models::Component>(c)))] = {{"faults", d.faults}};
      continue;
    }
    deviation[std::string(models::to_string(static_cast<models::Component>(c)))] = {
        {"faults", d.faults},
        {"faulty_gemms", d.faulty_gemms},
        {"faulty_words", d.faulty_words},
        {"mean_abs_deviation", d.mean_abs_deviation},
        {"max_abs_deviation", d.max_abs_deviation}};
  }
  fault_json["deviation"] = deviation;
  if (abft) fault_json["abft"] = abft_report_json(*abft, r.tokens_processed, /*with_energy=*/int8);
  if (trace) {
    write_fault_rows(*trace, array, *plan);
    if (abft) write_decision_rows(*trace, *abft);
    trace->close();
    fault_json["trace"] = o.trace;
  }
  return fault_json;
}

void print_eval(const EvalOptions& o, const std::filesystem::path& model_path, const std::filesystem::path& text_path,
                const models::llm::PerplexityResult& r, const models::llm::InferenceOptions& inf,
                const arch::ArrayConfig& array, const nlohmann::json& j, const nlohmann::json& fault_json, double tps) {
  namespace llm = models::llm;
  if (o.protocol == "wikitext") {
    fmt::print("saffire eval: {} on {} (wikitext: {} tokens, {} windows, ctx {}, stride {})\n",
               model_path.filename().string(), text_path.filename().string(), r.text_tokens, r.paragraphs, o.ctx,
               o.stride);
  } else {
    fmt::print("saffire eval: {} on {} ({} paragraphs, ctx {})\n", model_path.filename().string(),
               text_path.filename().string(), r.paragraphs, o.ctx);
  }
  fmt::print("  precision         {}{}\n", o.precision,
             inf.precision == llm::Precision::W8A8
                 ? fmt::format(" (weights {}, activations {}, attention products {}) on engine {}", o.weights,
                               o.activations, inf.quant.quantize_attention ? "INT8" : "FP32", o.engine)
                 : llm::on_float_pes(inf.precision)
                     ? fmt::format(" on {} PEs ({}{}{}) on engine {}", arch::describe(array.numerics),
                                   inf.quant.quantize_attention ? "attention products on the PEs" : "FP32 attention products",
                                   inf.heal.int16_qkv ? ", INT16 Q/K/V" : "", inf.heal.compensated ? ", compensated GEMMs" : "",
                                   o.engine)
                     : std::string());
  if (!fault_json.is_null()) {
    fmt::print("  faults            {} ({})\n", fault_json["faults"].get<std::int64_t>(),
               fault_json["campaign"].get<std::string>());
    if (fault_json.contains("sram_faults")) {
      const nlohmann::json& sf = fault_json["sram_faults"];
      fmt::print("  SRAM faults       {} stored words ({} bits) at {:g} V, bit-cell failure probability {:.3g} ({})\n",
                 sf["words"].get<std::int64_t>(), sf["bits"].get<std::int64_t>(), sf["sram_voltage"].get<double>(),
                 sf["bit_probability"].get<double>(), sf["curve"].get<std::string>());
    }
    fmt::print("  supply            {:g} V (nominal {:g} V, clock {:g} GHz)\n", j["voltage"].get<double>(),
               array.v_nominal, array.clock_ghz);
    fmt::print("  perplexity        {:.4f} with faults, {:.4f} clean (delta {:+.4f}), outcome {}\n",
               fault_json["ppl"].get<double>(), r.ppl, fault_json["ppl_delta"].get<double>(),
               fault_json["outcome"].get<std::string>());
    fmt::print("  top-1 agreement   {:.2f} % with the clean run\n", 100.0 * fault_json["top1_agreement"].get<double>());
    if (fault_json.contains("abft")) {
      const nlohmann::json& a = fault_json["abft"];
      fmt::print("  ABFT              {}: {} of {} checks flagged, {} recomputed ({:.2f} %), {} retries, {} at nominal\n",
                 a["scheme"].get<std::string>(), a["flagged"].get<std::int64_t>(), a["scopes"].get<std::int64_t>(),
                 a["recomputed"].get<std::int64_t>(), 100.0 * a["recompute_rate"].get<double>(),
                 a["retries"].get<std::int64_t>(), a["nominal_fallbacks"].get<std::int64_t>());
      if (a.contains("energy_pj")) {
        fmt::print("  energy            {:.4g} pJ/token ({:+.2f} % against nominal voltage without ABFT; the array "
                   "alone {:+.2f} %)\n",
                   a["energy_per_token_pj"].get<double>(), -100.0 * a["energy_saving"].get<double>(),
                   -100.0 * a["compute_saving"].get<double>());
        fmt::print("  energy parts      compute {:.4g} uJ, SRAM {:.4g} uJ, DRAM {:.4g} uJ\n",
                   a["compute_energy_pj"].get<double>() / 1e6, a["sram_energy_pj"].get<double>() / 1e6,
                   a["dram_energy_pj"].get<double>() / 1e6);
      }
    }
    if (fault_json.contains("trace")) fmt::print("  fault trace       {}\n", fault_json["trace"].get<std::string>());
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
  if (j.contains("memory")) {
    const nlohmann::json& m = j["memory"];
    fmt::print("  memory            {}{}: {} stall cycles, {} cycles in all; SRAM {:.4g} uJ, DRAM {:.4g} uJ\n",
               m["model"].get<std::string>(),
               m.contains("dram") ? " (" + m["dram"]["preset"].get<std::string>() + ")" : std::string(),
               m["stall_cycles"].get<std::int64_t>(), m["total_cycles"].get<std::int64_t>(),
               m["sram_energy_pj"].get<double>() / 1e6, m["dram_energy_pj"].get<double>() / 1e6);
  }
  fmt::print("  speed             {:.0f} tokens/s ({} tokens in {:.2f} s)\n", tps, r.tokens_processed, r.seconds);
}

// The protocol's options: --stride only with wikitext, --paragraphs only with paragraphs; wikitext's ctx defaults
// to the model's context and its stride to ctx. Every error names the option (exit 2).
void resolve_protocol_options(EvalOptions& o, int seq_len) {
  const bool wikitext = o.protocol == "wikitext";
  if (!wikitext && o.stride_given)
    throw ConfigError("--stride belongs to --protocol wikitext (paragraphs are scored whole, up to --ctx tokens)");
  if (wikitext && o.paragraphs_given)
    throw ConfigError("--paragraphs belongs to --protocol paragraphs (wikitext scores the whole text in windows)");
  if (wikitext && !o.ctx_given) o.ctx = seq_len;
  if (o.ctx > seq_len) {
    throw ConfigError("--ctx " + std::to_string(o.ctx) + " exceeds the model's context of " + std::to_string(seq_len));
  }
  if (!wikitext) return;
  if (!o.stride_given) o.stride = o.ctx;
  if (o.stride > o.ctx) {
    throw ConfigError("--stride " + std::to_string(o.stride) + " exceeds --ctx " + std::to_string(o.ctx) +
                      " (windows would skip tokens)");
  }
}

void run_eval(EvalOptions o) {
  namespace llm = models::llm;
  // W8A8 quantizes the projections straight from the mapped file; FP32 (and --compare-fp32) need an FP32 copy.
  const auto storage = o.precision == "w8a8" && !o.compare_fp32 ? llm::WeightStorage::MappedProjections
                                                                 : llm::WeightStorage::Fp32;
  const llm::LanguageModel lm = llm::load_language_model(o.model, o.tokenizer, storage);
  resolve_protocol_options(o, lm.checkpoint.config().seq_len);
  const bool wikitext = o.protocol == "wikitext";
  const auto text_path = llm::resolve_model_file(wikitext ? llm::kDefaultWikiTextFile : llm::kDefaultTextFile, o.text);
  const std::string text = llm::read_file(text_path);
  llm::check_evaluation_text(text, text_path);  // empty or blank: exit 2

  // The engines and the campaign's plan, every option checked before the first model pass.
  const ModelRun run = prepare_model_run(o, lm, "eval");
  const llm::InferenceOptions& inf = run.inf;
  const sim::EngineOptions& eo = run.eo();
  const memory::MemoryConfig& memory_cfg = run.memory_cfg;
  const std::unique_ptr<models::GemmEngine>& engine = run.engine;
  const bool campaign = run.campaign;
  const std::shared_ptr<faults::FaultPlan>& plan = run.plan;
  if (!o.trace.empty() && !campaign)
    throw ConfigError("--trace records the faults of a campaign, so it needs one (--ber, --fault-model timing|table, or --sram-voltage)");

  llm::PerplexityOptions po;
  po.protocol = llm::parse_perplexity_protocol(o.protocol);
  po.ctx = o.ctx;
  po.paragraphs = o.paragraphs;
  po.stride = wikitext ? o.stride : 0;
  po.keep_predictions = o.compare_fp32 || campaign;
  // On a terminal, never with --json.
  const ParagraphProgress progress(!o.json && isatty(fileno(stderr)) != 0, wikitext ? "windows" : "paragraphs");

  std::optional<traces::TraceWriter> trace;
  if (campaign && !o.trace.empty()) trace.emplace(open_fault_trace(o, run, lm, text_path));
  auto* array_engine = dynamic_cast<sim::ArrayGemmEngine*>(engine.get());
  if (trace && array_engine && eo.memory) array_engine->log_gemms();  // one /memory row per GEMM

  llm::Transformer model(lm.checkpoint, inf, engine.get());
  const llm::PerplexityResult r =
      llm::evaluate_perplexity(model, lm.tokenizer, text, po, progress(o.precision.c_str()));
  llm::check_clean_perplexity(r, lm.checkpoint);  // a clean model with a non-finite PPL is bad input (exit 2)
  const double tps = static_cast<double>(r.tokens_processed) / std::max(r.seconds, 1e-9);

  // The clean run's GEMMs behind the memory model (the same as the faulty run's: memory ignores faults).
  if (trace && array_engine && eo.memory)
    trace->append_memory(array_memory_rows(*array_engine, memory_cfg, run.tech));

  // Fault campaign: the same evaluation again with the plan's faults injected into the accumulators.
  nlohmann::json fault_json;
  if (campaign)
    fault_json = run_fault_campaign(o, lm, text, po, inf, run, r, trace ? &*trace : nullptr, progress);

  nlohmann::json j = {{"ppl", r.ppl},
                      {"mean_nll", r.mean_nll},
                      {"tokens_scored", r.tokens_scored},
                      {"protocol", o.protocol},
                      {"tokens_processed", r.tokens_processed},
                      {"seconds", r.seconds},
                      {"tokens_per_second", tps},
                      {"precision", o.precision},
                      {"engine", engine ? o.engine : std::string("none")},
                      {"ctx", o.ctx},
                      {"model", lm.model_path.string()},
                      {"tokenizer", lm.tokenizer_path.string()},
                      {"text", text_path.string()}};
  if (wikitext) {
    j["windows"] = r.paragraphs;
    j["stride"] = o.stride;
    j["text_tokens"] = r.text_tokens;
  } else {
    j["paragraphs"] = r.paragraphs;
  }
  if (inf.precision == llm::Precision::W8A8) {
    j["weights"] = o.weights;
    j["activations"] = o.activations;
    j["quantize_attention"] = inf.quant.quantize_attention;
  }
  if (inf.precision != llm::Precision::FP32) {
    // The run's one nominal supply and clock ([arch]), and the array's supply of the campaign.
    j["v_nominal"] = eo.array.v_nominal;
    j["clock_ghz"] = eo.array.clock_ghz;
    if (plan) j["voltage"] = FaultOptions::supply_voltage(*plan, eo.array);
  }
  if (llm::on_float_pes(inf.precision)) {
    j["pes"] = arch::describe(eo.array.numerics);
    j["int16_qkv"] = inf.heal.int16_qkv;
    j["compensated"] = inf.heal.compensated;
    j["quantize_attention"] = inf.quant.quantize_attention;
  }
  if (array_engine) {
    add_array_totals(j, array_engine);
    if (eo.memory && !array_engine->memory_uses().empty()) {  // the clean run's stalls, cycles and memory energy
      j["memory"] = array_memory_json(array_memory_totals(*array_engine, memory_cfg, run.tech), memory_cfg);
      j["array_stall_cycles"] = array_engine->totals().stall_cycles;  // what the SystemC folds waited
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
    for (const char* key :
         {"faults", "ppl_clean", "ppl_delta", "top1_agreement", "outcome", "clamped", "campaign", "deviation"})
      j[key] = fault_json[key];
    for (const char* key : {"abft", "trace", "sram_faults"})
      if (fault_json.contains(key)) j[key] = fault_json[key];
  }
  if (o.json) {
    fmt::print("{}\n", j.dump());
    return;
  }
  print_eval(o, lm.model_path, text_path, r, inf, eo.array, j, fault_json, tps);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Perplexity of a llama2.c model on a text (FP32 or W8A8 on an engine)");
  cmd->add_option("--model", o->model, "llama2.c checkpoint (legacy, v1, v2 Q8_0), Hugging Face folder (config.json, safetensors, tokenizer.json) or llama GGUF file; default stories260K.bin in the model dir");
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.bin or tokenizer.json; default tok512.bin in the model dir (a Hugging Face folder: its tokenizer.json; a GGUF file: its tokenizer.ggml.* keys)");
  cmd->add_option("--text", o->text,
                  "evaluation text; default tinystories_val.txt in the model dir (wikitext: wiki.test.raw)");
  cmd->add_option("--protocol", o->protocol,
                  "paragraphs: each blank-line paragraph scored on its own (TinyStories); wikitext: the whole text "
                  "tokenized once, scored in windows of --ctx tokens every --stride tokens (HF's sliding window)")
      ->capture_default_str()
      ->check(CLI::IsMember({"paragraphs", "wikitext"}));
  cmd->add_option("--ctx", o->ctx, "tokens per paragraph or window, BOS included (wikitext: default the model's context)")
      ->capture_default_str()
      ->check(CLI::Range(2, 1 << 20));
  cmd->add_option("--paragraphs", o->paragraphs, "paragraphs to evaluate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--stride", o->stride,
                  "wikitext: tokens between window starts, 1..ctx (default ctx); each window after the first scores "
                  "only its last stride tokens")
      ->check(CLI::Range(1, 1 << 20));
  o->add_to(*cmd);
  cmd->add_flag("--compare-fp32", o->compare_fp32, "W8A8: also run FP32 and report its PPL and top-1 agreement");
  cmd->add_option("--trace", o->trace, "with a campaign: an HDF5 trace with one /faults row per injected fault (and with --engine array and --memory scalesim|dram one /memory row per GEMM)");
  cmd->add_flag("--json", o->json, "print one JSON object on stdout");
  cmd->callback([o, cmd] {
    o->ctx_given = cmd->count("--ctx") > 0;
    o->paragraphs_given = cmd->count("--paragraphs") > 0;
    o->stride_given = cmd->count("--stride") > 0;
    run_eval(*o);
  });
}

}  // namespace saffire::cli
