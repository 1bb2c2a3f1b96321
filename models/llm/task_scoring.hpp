#pragma once
// Runs one task sample through a model and classes a faulty run's result against the clean one (LLMFI's outcomes).
//
// A continuation (lambada's target, a choice) is scored as lm-eval-harness does: the context with BOS and the
// context + continuation are encoded, the continuation is the tokens past their common prefix, and the whole runs as
// one batched prefill; log P(continuation | context) sums each token's log-softmax. lambada is right when the argmax
// at every target position is the target token (greedy match); choice picks the highest log-likelihood (and, for
// acc_norm, the highest per byte of the choice); exact decodes greedily after the context until a newline, EOS or
// max_new_tokens, and is right when the first line, trimmed, equals the answer, trimmed.
// A sequence longer than the model's context loses tokens from the left of its context.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/llm/task_samples.hpp"
#include "models/llm/tokenizer.hpp"
#include "models/llm/transformer.hpp"

namespace saffire::models::llm {

struct TaskScoringOptions {
  int max_new_tokens = 32;  // exact: the generation's length limit
};

struct SampleResult {
  std::vector<double> logliks;  // per choice (lambada: the target; exact: the generated tokens), natural log
  std::vector<int> tokens;      // the model's tokens: argmax at every scored position (lambada, choice) or generated (exact)
  std::string answer;           // lambada: the argmax tokens decoded; choice: the chosen index; exact: the first line
  bool correct = false;
  bool correct_norm = false;       // choice: by log-likelihood per byte (lm-eval's acc_norm); otherwise = correct
  bool finite = true;              // every logit the sample read was finite
  int sequences = 0;               // model sequences run (one per choice)
  std::int64_t tokens_processed = 0;
};

/// Throws what run_task_sample would (std::invalid_argument) for a sample it cannot score on a model of context
/// `seq_len`, without running the model: check every sample before the first model pass.
void check_task_sample(const Tokenizer& tokenizer, TaskKind kind, const TaskSample& sample, int seq_len,
                       const TaskScoringOptions& options = {});

/// Runs `sample` of `kind`; its sequences are numbered from `first_sequence` (Transformer::begin_sequence), one per
/// choice. Throws std::invalid_argument when a continuation adds no token, the context gives none to condition on
/// (a tokenizer without BOS and an empty context), a continuation fills the model's whole context, or (exact)
/// max_new_tokens is not below the model's context.
SampleResult run_task_sample(Transformer& model, const Tokenizer& tokenizer, TaskKind kind, const TaskSample& sample,
                             int first_sequence, const TaskScoringOptions& options = {});

/// The outcome of a faulty run against the clean run of the same sample.
enum class Outcome : std::uint8_t {
  Masked,       // the same log-likelihoods (bit for bit) and the same tokens
  BenignSdc,    // the output changed, the answer did not
  CriticalSdc,  // the answer changed (or whether it is right)
  CrashLike,    // a non-finite logit (NaN or inf)
};
inline constexpr int kNumOutcomes = 4;

/// "masked" / "benign" / "critical" / "crash-like".
std::string_view to_string(Outcome outcome);
Outcome classify_outcome(const SampleResult& clean, const SampleResult& faulty);

}  // namespace saffire::models::llm
