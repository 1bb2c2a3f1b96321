#pragma once
// The windows of the WikiText protocol, as Hugging Face's perplexity guide ("Perplexity of fixed-length models",
// transformers docs) scores a long text: the whole text is one token sequence t_0 .. t_{n-1}; window w runs the
// tokens [w * stride, min(w * stride + ctx, n)) as one fresh sequence (positions from 0) and scores the predictions
// of the tokens it has not scored before: with stride = ctx every token but each window's first, with
// stride < ctx the last `stride` tokens (the first window all but t_0); the rest of a window is context only.
// Windows stop at the first one that reaches t_{n-1}. (llama.cpp's perplexity tool differs: disjoint windows,
// each scoring its second half only.)
#include <cstdint>
#include <vector>

namespace saffire::models::llm {

struct ScoringWindow {
  std::int64_t begin = 0;        // first token run (position 0 of the window)
  std::int64_t end = 0;          // one past the last token run
  std::int64_t scored_from = 0;  // predictions of tokens [scored_from, end) are scored; begin < scored_from
};

/// The windows over `tokens` tokens. Throws std::invalid_argument unless ctx >= 2, 1 <= stride <= ctx and
/// tokens >= 2 (at least one prediction to score).
std::vector<ScoringWindow> scoring_windows(std::int64_t tokens, int ctx, int stride);

}  // namespace saffire::models::llm
