// saffire tasks: task-level accuracy of a model (LAMBADA-style last word, multiple choice by log-likelihood,
// generation exact-match), and under a fault campaign each sample's outcome (masked, benign SDC, critical SDC,
// crash-like) in all and per component and layer its faults struck (LLMFI's view).
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "arch/config_error.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/task_samples.hpp"
#include "models/llm/task_scoring.hpp"
#include "sim/array_engine.hpp"
#include "sim/cli/array_memory_report.hpp"
#include "sim/cli/array_totals_json.hpp"
#include "sim/cli/campaign_trace.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/model_run.hpp"
#include "sim/cli/run_record.hpp"
#include "sim/faults/outcome_attribution.hpp"
#include "sim/sweep/progress.hpp"

namespace saffire::cli {
namespace {

namespace llm = models::llm;

struct TasksOptions : ModelRunOptions {
  std::string model, tokenizer, file;
  std::string task = "lambada";
  int samples = 100;
  int max_new_tokens = 32;
  std::string trace;  // --trace FILE: HDF5 trace of the campaign's faults and ABFT decisions
  bool json = false;
};

// Every sample of the run through `model`; `sample_of_sequence` gets the sample of each model sequence.
struct TaskRun {
  std::vector<llm::SampleResult> results;
  std::vector<int> sample_of_sequence;
  std::int64_t tokens_processed = 0;
  double seconds = 0.0;
};

TaskRun run_samples(llm::Transformer& model, const llm::LanguageModel& lm, llm::TaskKind kind,
                    const std::vector<llm::TaskSample>& samples, const llm::TaskScoringOptions& so,
                    const std::string& what, bool show_progress) {
  TaskRun run;
  sim::Progress progress(what + " samples", samples.size(), 0, show_progress);  // done, rate, ETA on stderr
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t s = 0; s < samples.size(); ++s) {
    llm::SampleResult r = llm::run_task_sample(model, lm.tokenizer, kind, samples[s],
                                               static_cast<int>(run.sample_of_sequence.size()), so);
    run.sample_of_sequence.insert(run.sample_of_sequence.end(), static_cast<std::size_t>(r.sequences),
                                  static_cast<int>(s));
    run.tokens_processed += r.tokens_processed;
    run.results.push_back(std::move(r));
    progress.step();
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.finish();
  return run;
}

double accuracy(const std::vector<llm::SampleResult>& results, bool norm = false) {
  std::int64_t right = 0;
  for (const llm::SampleResult& r : results) right += (norm ? r.correct_norm : r.correct) ? 1 : 0;
  return results.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(results.size());
}

nlohmann::json counts_json(const faults::OutcomeCounts& c) {
  nlohmann::json j = {{"samples", c.samples()}};
  for (int o = 0; o < llm::kNumOutcomes; ++o)
    j[std::string(llm::to_string(static_cast<llm::Outcome>(o)))] = c.n[static_cast<std::size_t>(o)];
  return j;
}

// The campaign's report: accuracies, the outcome of every sample and its tallies by component and layer.
nlohmann::json campaign_json(const TasksOptions& o, const ModelRun& run, const TaskRun& clean, const TaskRun& faulty,
                             const abft::AbftEngine* abft) {
  std::vector<llm::Outcome> outcomes;
  for (std::size_t s = 0; s < clean.results.size(); ++s)
    outcomes.push_back(llm::classify_outcome(clean.results[s], faulty.results[s]));
  const faults::OutcomeAttribution a =
      faults::attribute_outcomes(outcomes, clean.sample_of_sequence, run.plan->site_counts());
  nlohmann::json components = nlohmann::json::object();
  for (int c = 0; c < models::kNumComponents; ++c) {
    const faults::OutcomeCounts& k = a.by_component[static_cast<std::size_t>(c)];
    if (k.samples() > 0) components[std::string(models::to_string(static_cast<models::Component>(c)))] = counts_json(k);
  }
  nlohmann::json layers = nlohmann::json::object();
  for (const auto& [layer, k] : a.by_layer) layers[std::to_string(layer)] = counts_json(k);
  // Each sample's model sequences: the `sequence` of its /faults rows in a --trace.
  std::vector<nlohmann::json> sequences(outcomes.size(), nlohmann::json::array());
  for (std::size_t q = 0; q < clean.sample_of_sequence.size(); ++q)
    sequences[static_cast<std::size_t>(clean.sample_of_sequence[q])].push_back(q);
  nlohmann::json per_sample = nlohmann::json::array();
  for (std::size_t s = 0; s < outcomes.size(); ++s)
    per_sample.push_back({{"correct_clean", clean.results[s].correct},
                          {"correct", faulty.results[s].correct},
                          {"outcome", std::string(llm::to_string(outcomes[s]))},
                          {"sequences", sequences[s]}});
  const bool int8 = run.inf.precision == llm::Precision::W8A8;
  nlohmann::json j = {{"faults", run.plan->fault_count()},
                      {"campaign", o.faults.describe(int8)},
                      {"voltage", FaultOptions::supply_voltage(*run.plan, run.eo().array)},
                      {"accuracy_clean", accuracy(clean.results)},
                      {"accuracy", accuracy(faulty.results)},
                      {"outcomes", counts_json(a.all)},
                      {"untouched", counts_json(a.untouched)},
                      {"components", components},
                      {"layers", layers},
                      {"per_sample", per_sample}};
  if (run.plan->has_sram_faults())
    j["sram_faults"] = {{"sram_voltage", *run.memory_cfg.sram_voltage},
                        {"words", run.plan->sram_fault_words()},
                        {"bits", run.plan->sram_fault_bits()}};
  if (abft) j["abft"] = abft_report_json(*abft, faulty.tokens_processed, /*with_energy=*/int8);
  return j;
}

void print_tasks(const TasksOptions& o, const llm::LanguageModel& lm, const nlohmann::json& j) {
  fmt::print("saffire tasks: {} on {} ({} samples of {})\n", o.task, lm.model_path.filename().string(),
             j["samples"].get<std::int64_t>(), o.file);
  fmt::print("  precision         {}{}\n", o.precision, j["engine"] == "none" ? "" : " on engine " + o.engine);
  const bool campaign = j.contains("campaign");
  fmt::print("  accuracy          {:.2f} %{}\n",
             100.0 * (campaign ? j["campaign"]["accuracy_clean"] : j["accuracy"]).get<double>(), campaign ? " (clean)" : "");
  if (j.contains("accuracy_norm")) fmt::print("  accuracy (norm)   {:.2f} % (log-likelihood per byte)\n", 100.0 * j["accuracy_norm"].get<double>());
  if (campaign) {
    const nlohmann::json& c = j["campaign"];
    fmt::print("  faults            {} ({}) at {:g} V\n", c["faults"].get<std::int64_t>(), c["campaign"].get<std::string>(),
               c["voltage"].get<double>());
    if (c.contains("sram_faults"))
      fmt::print("  SRAM faults       {} stored words ({} bits) at {:g} V\n", c["sram_faults"]["words"].get<std::int64_t>(),
                 c["sram_faults"]["bits"].get<std::int64_t>(), c["sram_faults"]["sram_voltage"].get<double>());
    fmt::print("  accuracy          {:.2f} % with faults\n", 100.0 * c["accuracy"].get<double>());
    const auto line = [](const char* name, const nlohmann::json& k) {
      fmt::print("  {:<17} {:>5} samples: {} masked, {} benign SDC, {} critical SDC, {} crash-like\n", name,
                 k["samples"].get<std::int64_t>(), k["masked"].get<std::int64_t>(), k["benign"].get<std::int64_t>(),
                 k["critical"].get<std::int64_t>(), k["crash-like"].get<std::int64_t>());
    };
    line("outcomes", c["outcomes"]);
    line("no fault reached", c["untouched"]);
    for (const auto& [name, k] : c["components"].items()) line(("  " + name).c_str(), k);
    for (const auto& [layer, k] : c["layers"].items()) line(("  layer " + layer).c_str(), k);
    if (c.contains("abft")) {
      const nlohmann::json& a = c["abft"];
      fmt::print("  ABFT              {}: {} of {} checks flagged, {} recomputed\n", a["scheme"].get<std::string>(),
                 a["flagged"].get<std::int64_t>(), a["scopes"].get<std::int64_t>(), a["recomputed"].get<std::int64_t>());
    }
    if (c.contains("trace")) fmt::print("  fault trace       {}\n", c["trace"].get<std::string>());
  }
  fmt::print("  speed             {:.0f} tokens/s ({} tokens in {:.2f} s)\n", j["tokens_per_second"].get<double>(),
             j["tokens_processed"].get<std::int64_t>(), j["seconds"].get<double>());
}

// The campaign's trace: the array, the [tasks] settings, the campaign and its ABFT (campaign_trace.hpp).
traces::TraceWriter open_tasks_trace(const TasksOptions& o, const llm::LanguageModel& lm, const ModelRun& run) {
  const std::string settings = fmt::format(
      "[tasks]\ntask = {}\nfile = {}\nsamples = {}\nmax_new_tokens = {}\nmodel = {}\ntokenizer = {}\n"
      "precision = {}\nengine = {}\nweights = {}\nactivations = {}\nfp32_attention = {}\nkernel = {}\n"
      "fidelity = {}\n",
      toml_string(o.task), toml_string(o.file), o.samples, o.max_new_tokens, toml_string(lm.model_path.string()),
      toml_string(lm.tokenizer_path.string()), toml_string(o.precision), toml_string(o.engine),
      toml_string(o.weights), toml_string(o.activations), o.fp32_attention, toml_string(o.kernel),
      toml_string(o.fidelity));
  // The default model files and text are data found outside the command line: recorded by reference.
  return open_campaign_trace(o.trace, "tasks", settings, o, run,
                             {lm.model_path, lm.tokenizer_path, std::filesystem::path(o.file)});
}

void run_tasks(TasksOptions o) {
  const llm::TaskKind kind = llm::parse_task_kind(o.task);
  // W8A8 quantizes the projections straight from the mapped file; FP32 needs an FP32 copy.
  const auto storage = o.w8a8() ? llm::WeightStorage::MappedProjections : llm::WeightStorage::Fp32;
  const llm::LanguageModel lm = llm::load_language_model(o.model, o.tokenizer, storage);
  if (o.file.empty() && kind != llm::TaskKind::Lambada)
    throw ConfigError("--task " + o.task + " needs a JSONL file (FILE or --file)");
  const auto path = llm::resolve_model_file(llm::kDefaultTextFile, o.file);
  o.file = path.string();
  const std::vector<llm::TaskSample> samples =
      llm::task_samples(kind, llm::read_file(path), path, static_cast<std::size_t>(o.samples));
  if (o.max_new_tokens >= lm.checkpoint.config().seq_len)
    throw ConfigError("--max-new-tokens " + std::to_string(o.max_new_tokens) + " leaves no room in the model's context of " +
                      std::to_string(lm.checkpoint.config().seq_len) + " tokens");
  llm::TaskScoringOptions so;
  so.max_new_tokens = o.max_new_tokens;
  // Every sample checked before the first model pass (a sample the model cannot score is bad input).
  for (const llm::TaskSample& s : samples) {
    try {
      llm::check_task_sample(lm.tokenizer, kind, s, lm.checkpoint.config().seq_len, so);
    } catch (const std::invalid_argument& e) {
      throw llm::ModelFileError(path, (kind == llm::TaskKind::Lambada ? "paragraph " : "line ") +
                                          std::to_string(s.source_line) + ": " + e.what());
    }
  }
  const ModelRun run = prepare_model_run(o, lm, "tasks");
  if (!o.trace.empty() && !run.campaign)
    throw ConfigError("--trace records the faults of a campaign, so it needs one (--ber, --fault-model timing|table, or --sram-voltage)");
  const bool show = !o.json;
  // Opened before the first model pass, so a bad path fails before the long run.
  std::optional<traces::TraceWriter> trace;
  if (!o.trace.empty()) trace.emplace(open_tasks_trace(o, lm, run));
  auto* array_engine = dynamic_cast<sim::ArrayGemmEngine*>(run.engine.get());
  const bool memory_rows = trace && array_engine && run.eo().memory;
  if (memory_rows) array_engine->log_gemms();  // one /memory row per GEMM, as eval

  llm::Transformer model(lm.checkpoint, run.inf, run.engine.get());
  const TaskRun clean = run_samples(model, lm, kind, samples, so, o.precision, show);
  // The clean run's GEMMs behind the memory model (the same as the faulty run's: memory ignores faults).
  if (memory_rows) trace->append_memory(array_memory_rows(*array_engine, run.memory_cfg, run.tech));
  for (std::size_t s = 0; s < clean.results.size(); ++s)
    if (!clean.results[s].finite)  // a clean model with non-finite logits is bad input, not an outcome
      throw llm::ModelFileError(lm.model_path, "the clean model's logits are not finite on sample " + std::to_string(s + 1) +
                                                   " (line " + std::to_string(samples[s].source_line) + ")");

  nlohmann::json j = {{"task", o.task},
                      {"file", o.file},
                      {"samples", samples.size()},
                      {"model", lm.model_path.string()},
                      {"tokenizer", lm.tokenizer_path.string()},
                      {"precision", o.precision},
                      {"engine", run.engine ? o.engine : std::string("none")},
                      {"accuracy", accuracy(clean.results)},
                      {"tokens_processed", clean.tokens_processed},
                      {"seconds", clean.seconds},
                      {"tokens_per_second", static_cast<double>(clean.tokens_processed) / std::max(clean.seconds, 1e-9)}};
  if (kind == llm::TaskKind::Choice) j["accuracy_norm"] = accuracy(clean.results, /*norm=*/true);
  add_array_totals(j, run.engine.get());
  if (run.campaign) {
    const sim::EngineStack stack = build_campaign_stack(o, run);
    llm::Transformer faulty(lm.checkpoint, run.inf, stack.engine.get());
    if (stack.clamp) faulty.set_hook(stack.clamp.get());
    const TaskRun f = run_samples(faulty, lm, kind, samples, so, "faulty", show);
    j["campaign"] = campaign_json(o, run, clean, f, stack.abft);
    j["accuracy"] = j["campaign"]["accuracy"];
    if (trace) {
      write_fault_rows(*trace, run.eo().array, *run.plan);
      if (stack.abft) write_decision_rows(*trace, *stack.abft);
      trace->close();
      j["campaign"]["trace"] = o.trace;
    }
  }
  if (o.json) {
    fmt::print("{}\n", j.dump());
    return;
  }
  print_tasks(o, lm, j);
}

}  // namespace

void add_tasks_command(CLI::App& app) {
  auto o = std::make_shared<TasksOptions>();
  CLI::App* cmd = app.add_subcommand(
      "tasks", "Task-level accuracy (lambada last word, multiple choice, exact match) and, with faults, each sample's outcome");
  cmd->add_option("--task", o->task,
                  "lambada: the last word of each paragraph of a text (greedy match); choice: JSONL {context, choices, "
                  "gold}, the choice of highest log-likelihood; exact: JSONL {context, answer}, greedy generation's first line")
      ->capture_default_str()
      ->check(CLI::IsMember({"lambada", "choice", "exact"}));
  CLI::Option* positional = cmd->add_option("file", o->file, "the task's file (lambada: default tinystories_val.txt in the model dir)");
  cmd->add_option("--file", o->file, "the task's file, as an option (for sweeps)")->excludes(positional);
  cmd->add_option("--model", o->model, "llama2.c checkpoint, Hugging Face folder or llama GGUF file; default stories260K.bin in the model dir");
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.bin or tokenizer.json; default tok512.bin in the model dir (HF folder: its tokenizer.json)");
  cmd->add_option("--samples", o->samples, "samples to evaluate (the first of the file)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_option("--max-new-tokens", o->max_new_tokens, "exact: tokens the greedy generation may add")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 16));
  o->add_to(*cmd);
  cmd->add_option("--trace", o->trace,
                  "with a campaign: an HDF5 trace with one /faults row per injected fault (its sequence is in the JSON's "
                  "per_sample sequences), with --abft one /abft row per decision, and with --engine array and --memory "
                  "scalesim|dram one /memory row per GEMM");
  cmd->add_flag("--json", o->json, "print one JSON object on stdout");
  cmd->callback([o] { run_tasks(*o); });
}

}  // namespace saffire::cli
