#pragma once
// Perplexity of a model on a text, by one of two protocols:
// - Paragraphs (TinyStories, the default): split the text at each "\n\n", skip empty paragraphs, encode each with
//   BOS and without EOS, truncate to `ctx` tokens, run each paragraph as ONE batched prefill on a fresh KV cache
//   (sequence = paragraph index), and score its n - 1 next-token predictions, over the first `paragraphs`.
// - WikiText (WikiText-2's wiki.test.raw, read as it is: its lines already joined): encode the whole text once,
//   with BOS (when the tokenizer has one: once, before the text) and without EOS, and score the windows of
//   scoring_windows.hpp (HF's sliding-window scheme; sequence = window index), each one batched prefill.
// PPL = exp(mean NLL) over all scored tokens.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "models/llm/scoring_windows.hpp"
#include "models/llm/tokenizer.hpp"
#include "models/llm/transformer.hpp"

namespace saffire::models::llm {

enum class PerplexityProtocol : std::uint8_t { Paragraphs, WikiText };
/// "paragraphs" / "wikitext"; parse throws std::invalid_argument listing both.
std::string_view to_string(PerplexityProtocol p);
PerplexityProtocol parse_perplexity_protocol(std::string_view name);

struct PerplexityOptions {
  PerplexityProtocol protocol = PerplexityProtocol::Paragraphs;
  int ctx = 256;                  // tokens per paragraph or window (BOS included); at most the model's seq_len
  int paragraphs = 200;           // Paragraphs: paragraphs to evaluate (fewer when the text has fewer)
  int stride = 0;                 // WikiText: tokens between window starts, 1..ctx; 0: ctx (disjoint windows)
  bool keep_predictions = false;  // record the argmax token of every scored position
};

struct PerplexityResult {
  double ppl = 0.0;                   // exp(mean_nll)
  double mean_nll = 0.0;              // nats per scored token
  std::int64_t tokens_scored = 0;     // Paragraphs: sum of (n - 1); WikiText: sum of (end - scored_from)
  int paragraphs = 0;                 // paragraphs or windows evaluated (model sequences)
  std::int64_t tokens_processed = 0;  // tokens run through the model (sum of n, or of end - begin)
  std::int64_t text_tokens = 0;       // WikiText: tokens of the whole text (BOS included); Paragraphs: 0
  double seconds = 0.0;               // wall time of the model passes and scoring
  std::vector<int> predictions;       // (tokens_scored) argmax per scored position, sequence after sequence
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

/// Evaluates perplexity as described above. on_paragraph(done, total), when set, is called after each paragraph
/// or window. Throws std::invalid_argument on a bad ctx, stride or paragraph count, or a text with nothing to score.
PerplexityResult evaluate_perplexity(Transformer& model, const Tokenizer& tokenizer, std::string_view text,
                                     const PerplexityOptions& options,
                                     const std::function<void(int, int)>& on_paragraph = {});

/// Fraction of positions where two prediction lists agree (e.g. W8A8 vs FP32 top-1). Throws
/// std::invalid_argument when the lists differ in length or are empty.
double top1_agreement(std::span<const int> a, std::span<const int> b);

}  // namespace saffire::models::llm
