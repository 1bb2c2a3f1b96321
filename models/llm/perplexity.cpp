#include "models/llm/perplexity.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/llm/model_files.hpp"
#include "models/llm/sampler.hpp"

namespace saffire::models::llm {

std::vector<std::string_view> split_paragraphs(std::string_view text, std::size_t max_paragraphs) {
  std::vector<std::string_view> out;
  std::size_t begin = 0;
  while (begin <= text.size() && out.size() < max_paragraphs) {
    const std::size_t end = text.find("\n\n", begin);
    const std::string_view p = text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    if (!p.empty()) out.push_back(p);
    if (end == std::string_view::npos) break;
    begin = end + 2;
  }
  return out;
}

namespace {

// Runs `tokens` as one batched prefill of sequence `sequence` and adds the NLL of the predictions of tokens
// [first_scored, n) (first_scored >= 1) to `nll_sum`, and the counts to `r`.
void score_sequence(Transformer& model, std::span<const int> tokens, std::size_t first_scored, int sequence,
                    bool keep_predictions, double& nll_sum, PerplexityResult& r) {
  const auto v = static_cast<std::size_t>(model.config().vocab_size);
  const std::size_t n = tokens.size();
  if (n < first_scored) throw std::invalid_argument("nothing to run: a sequence of " + std::to_string(n) + " tokens");
  model.begin_sequence(sequence);
  const std::span<const float> logits = model.prefill(tokens, 0, /*all_logits=*/true);  // (n, vocab)
  for (std::size_t i = first_scored - 1; i + 1 < n; ++i) {
    const std::span<const float> row = logits.subspan(i * v, v);
    const int best = argmax(row);
    // NLL of the next token: logsumexp(row) - row[target]; terms in float, sums in double.
    const float mx = row[static_cast<std::size_t>(best)];
    double sum = 0.0;
    for (const float x : row) sum += std::exp(x - mx);
    nll_sum += static_cast<double>(mx) + std::log(sum) - static_cast<double>(row[static_cast<std::size_t>(tokens[i + 1])]);
    if (keep_predictions) r.predictions.push_back(best);
  }
  r.tokens_scored += static_cast<std::int64_t>(n - first_scored);
  r.tokens_processed += static_cast<std::int64_t>(n);
  ++r.paragraphs;
}

}  // namespace

std::string_view to_string(PerplexityProtocol p) {
  return p == PerplexityProtocol::WikiText ? "wikitext" : "paragraphs";
}

PerplexityProtocol parse_perplexity_protocol(std::string_view name) {
  if (name == "paragraphs") return PerplexityProtocol::Paragraphs;
  if (name == "wikitext") return PerplexityProtocol::WikiText;
  throw std::invalid_argument("unknown perplexity protocol '" + std::string(name) + "' (known: paragraphs, wikitext)");
}

PerplexityResult evaluate_perplexity(Transformer& model, const Tokenizer& tokenizer, std::string_view text,
                                     const PerplexityOptions& options,
                                     const std::function<void(int, int)>& on_paragraph) {
  const LlamaConfig& cfg = model.config();
  if (options.ctx < 2 || options.ctx > cfg.seq_len) {
    throw std::invalid_argument("ctx must be in 2.." + std::to_string(cfg.seq_len) + " (got " +
                                std::to_string(options.ctx) + ")");
  }
  if (options.paragraphs <= 0) {
    throw std::invalid_argument("paragraphs must be positive (got " + std::to_string(options.paragraphs) + ")");
  }
  if (tokenizer.vocab_size() != cfg.vocab_size) {
    throw std::invalid_argument("tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                                " tokens but the model's vocabulary has " + std::to_string(cfg.vocab_size));
  }
  PerplexityResult r;
  double nll_sum = 0.0;
  std::vector<int> tokens;
  const auto t0 = std::chrono::steady_clock::now();
  if (options.protocol == PerplexityProtocol::WikiText) {
    const int stride = options.stride == 0 ? options.ctx : options.stride;
    if (stride < 1 || stride > options.ctx) {  // before encoding a long text
      throw std::invalid_argument("stride must be in 1..ctx = " + std::to_string(options.ctx) + " (got " +
                                  std::to_string(options.stride) + ")");
    }
    tokenizer.encode(text, /*bos=*/true, /*eos=*/false, tokens);
    r.text_tokens = static_cast<std::int64_t>(tokens.size());
    const std::vector<ScoringWindow> windows = scoring_windows(r.text_tokens, options.ctx, stride);
    const int total = static_cast<int>(windows.size());
    for (int w = 0; w < total; ++w) {
      const ScoringWindow& win = windows[static_cast<std::size_t>(w)];
      const std::span<const int> run(tokens.data() + win.begin, static_cast<std::size_t>(win.end - win.begin));
      score_sequence(model, run, static_cast<std::size_t>(win.scored_from - win.begin), w, options.keep_predictions,
                     nll_sum, r);
      if (on_paragraph) on_paragraph(w + 1, total);
    }
  } else {
    const std::vector<std::string_view> paragraphs =
        split_paragraphs(text, static_cast<std::size_t>(options.paragraphs));
    const int total = std::min<int>(options.paragraphs, static_cast<int>(paragraphs.size()));
    if (total == 0) throw std::invalid_argument("the evaluation text has no paragraphs");
    for (int p = 0; p < total; ++p) {
      tokenizer.encode(paragraphs[static_cast<std::size_t>(p)], /*bos=*/true, /*eos=*/false, tokens);
      if (static_cast<int>(tokens.size()) > options.ctx) tokens.resize(static_cast<std::size_t>(options.ctx));
      // A one-token paragraph runs but scores nothing.
      score_sequence(model, tokens, 1, p, options.keep_predictions, nll_sum, r);
      if (on_paragraph) on_paragraph(p + 1, total);
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.mean_nll = r.tokens_scored > 0 ? nll_sum / static_cast<double>(r.tokens_scored) : 0.0;
  r.ppl = std::exp(r.mean_nll);
  return r;
}

void check_evaluation_text(std::string_view text, const std::filesystem::path& file) {
  if (text.empty()) throw ModelFileError(file, "the evaluation text is empty");
  if (text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos) {
    throw ModelFileError(file, "the evaluation text is blank (" + std::to_string(text.size()) +
                                   " bytes of whitespace only): no paragraph to score");
  }
}

void check_clean_perplexity(const PerplexityResult& clean, const Checkpoint& ckpt) {
  if (std::isfinite(clean.ppl)) return;
  const WeightExtreme w = largest_weight(ckpt);
  char value[32];
  std::snprintf(value, sizeof value, "%g", static_cast<double>(w.value));
  throw ModelFileError(ckpt.path(), "the clean model's perplexity is " + std::to_string(clean.ppl) +
                                        " (non-finite logits over " + std::to_string(clean.tokens_scored) +
                                        " scored tokens): the weights overflow FP32 (largest |weight| " + value +
                                        " in tensor " + w.tensor + " at index " + std::to_string(w.index) + ")");
}

double top1_agreement(std::span<const int> a, std::span<const int> b) {
  if (a.size() != b.size() || a.empty()) {
    throw std::invalid_argument("top1_agreement: prediction lists of sizes " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " (must be equal and non-empty)");
  }
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(same) / static_cast<double>(a.size());
}

}  // namespace saffire::models::llm
