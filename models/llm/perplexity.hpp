#pragma once
// Perplexity of a model on a text, the evaluation protocol of saffire's LLM studies:
// split the text at each "\n\n", skip empty paragraphs, encode each with BOS and without EOS, truncate to `ctx`
// tokens, run each paragraph as ONE batched prefill on a fresh KV cache (sequence = paragraph index), and
// score its n - 1 next-token predictions. PPL = exp(mean NLL) over the first `paragraphs` paragraphs.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "models/llm/tokenizer.hpp"
#include "models/llm/transformer.hpp"

namespace saffire::models::llm {

struct PerplexityOptions {
  int ctx = 256;                  // tokens per paragraph (BOS included); at most the model's seq_len
  int paragraphs = 200;           // paragraphs to evaluate (fewer when the text has fewer)
  bool keep_predictions = false;  // record the argmax token of every scored position
};

struct PerplexityResult {
  double ppl = 0.0;                   // exp(mean_nll)
  double mean_nll = 0.0;              // nats per scored token
  std::int64_t tokens_scored = 0;     // sum over paragraphs of (n - 1)
  int paragraphs = 0;                 // paragraphs evaluated
  std::int64_t tokens_processed = 0;  // tokens run through the model (sum of n)
  double seconds = 0.0;               // wall time of the model passes and scoring
  std::vector<int> predictions;       // (tokens_scored) argmax per scored position, paragraph after paragraph
};

/// Non-empty paragraphs of `text` split at each "\n\n" (views into text); at most `max_paragraphs` (the scan
/// stops there).
std::vector<std::string_view> split_paragraphs(std::string_view text, std::size_t max_paragraphs = SIZE_MAX);

/// Rejects an evaluation text that is empty or only whitespace: ModelFileError (exit code 2) naming `file`.
void check_evaluation_text(std::string_view text, const std::filesystem::path& file);

/// Rejects the clean (fault-free) evaluation of `ckpt` when its perplexity is not finite: the model or its
/// input is bad. ModelFileError naming the checkpoint and its largest-magnitude weight (tensor and index).
/// Faulty runs of a campaign may legitimately give a non-finite PPL ("crash-like"): never call this on them.
void check_clean_perplexity(const PerplexityResult& clean, const Checkpoint& ckpt);

/// Evaluates perplexity as described above. on_paragraph(done, total), when set, is called after each paragraph.
PerplexityResult evaluate_perplexity(Transformer& model, const Tokenizer& tokenizer, std::string_view text,
                                     const PerplexityOptions& options,
                                     const std::function<void(int, int)>& on_paragraph = {});

/// Fraction of positions where two prediction lists agree (e.g. W8A8 vs FP32 top-1). Throws
/// std::invalid_argument when the lists differ in length or are empty.
double top1_agreement(std::span<const int> a, std::span<const int> b);

}  // namespace saffire::models::llm
