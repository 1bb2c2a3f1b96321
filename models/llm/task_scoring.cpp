#include "models/llm/task_scoring.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>

#include "models/llm/sampler.hpp"

namespace saffire::models::llm {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Masked: return "masked";
    case Outcome::BenignSdc: return "benign";
    case Outcome::CriticalSdc: return "critical";
    case Outcome::CrashLike: return "crash-like";
  }
  return "?";
}

Outcome classify_outcome(const SampleResult& clean, const SampleResult& faulty) {
  if (!faulty.finite) return Outcome::CrashLike;
  if (faulty.logliks == clean.logliks && faulty.tokens == clean.tokens) return Outcome::Masked;
  // Two token lists can decode to the same text: a changed verdict is a changed answer too.
  const bool same = faulty.answer == clean.answer && faulty.correct == clean.correct;
  return same ? Outcome::BenignSdc : Outcome::CriticalSdc;
}

namespace {

// log-softmax of row at `target`, and whether every value of the row is finite.
double log_softmax_at(std::span<const float> row, int target, bool& finite) {
  float mx = row[0];
  for (const float x : row) {
    if (!std::isfinite(x)) finite = false;
    mx = std::max(mx, x);
  }
  double sum = 0.0;
  for (const float x : row) sum += std::exp(static_cast<double>(x) - static_cast<double>(mx));
  return static_cast<double>(row[static_cast<std::size_t>(target)]) - static_cast<double>(mx) - std::log(sum);
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// A continuation for a message: quoted, at most 40 bytes of it.
std::string quoted(std::string_view text) {
  return "'" + std::string(text.substr(0, 40)) + (text.size() > 40 ? "...'" : "'");
}

struct Continuation {
  double loglik = 0.0;
  std::vector<int> target;  // the continuation's tokens
  std::vector<int> argmax;  // the model's argmax at each of their positions
  std::size_t processed = 0;  // tokens run through the model
};

// The tokens a continuation is scored on: the context with BOS and the continuation, `first` the index of the
// continuation's first token (see the header); throws std::invalid_argument on a sample that cannot be scored.
struct ContinuationTokens {
  std::vector<int> whole;
  std::size_t first = 0;
};

ContinuationTokens continuation_tokens(const Tokenizer& tokenizer, std::string_view context,
                                       std::string_view continuation, std::size_t seq_len) {
  const std::vector<int> prefix = tokenizer.encode(context, /*bos=*/true, /*eos=*/false);
  ContinuationTokens t{tokenizer.encode(std::string(context) + std::string(continuation), true, false), 0};
  std::size_t& p = t.first;
  while (p < prefix.size() && p < t.whole.size() && prefix[p] == t.whole[p]) ++p;
  if (p >= t.whole.size())
    throw std::invalid_argument("the continuation " + quoted(continuation) + " adds no token to the context");
  if (p == 0) throw std::invalid_argument("the context gives no token to condition on (no BOS and an empty context)");
  const std::size_t cont_tokens = t.whole.size() - p;
  if (cont_tokens >= seq_len)
    throw std::invalid_argument("the continuation " + quoted(continuation) + " takes " + std::to_string(cont_tokens) +
                                " tokens, no fewer than the model's context of " + std::to_string(seq_len));
  if (t.whole.size() > seq_len) {  // drop context tokens from the left
    const std::size_t drop = t.whole.size() - seq_len;
    t.whole.erase(t.whole.begin(), t.whole.begin() + static_cast<std::ptrdiff_t>(drop));
    p -= drop;
  }
  return t;
}

// Scores `continuation` after `context` as one prefill of sequence `sequence`.
Continuation score_continuation(Transformer& model, const Tokenizer& tokenizer, std::string_view context,
                                std::string_view continuation, int sequence, bool& finite) {
  const ContinuationTokens t =
      continuation_tokens(tokenizer, context, continuation, static_cast<std::size_t>(model.config().seq_len));
  const std::vector<int>& whole = t.whole;
  const std::size_t p = t.first;
  model.begin_sequence(sequence);
  const std::span<const float> logits = model.prefill(whole, 0, /*all_logits=*/true);
  const auto v = static_cast<std::size_t>(model.config().vocab_size);
  Continuation c;
  c.processed = whole.size();
  for (std::size_t j = p; j < whole.size(); ++j) {
    const std::span<const float> row = logits.subspan((j - 1) * v, v);
    c.loglik += log_softmax_at(row, whole[j], finite);
    c.target.push_back(whole[j]);
    c.argmax.push_back(argmax(row));
  }
  return c;
}

// exact: the context's tokens, checked to leave room for the generation.
std::vector<int> generation_context(const Tokenizer& tokenizer, std::string_view context, int seq_len,
                                    const TaskScoringOptions& options) {
  if (options.max_new_tokens < 1 || options.max_new_tokens >= seq_len)
    throw std::invalid_argument("max_new_tokens must be in 1.." + std::to_string(seq_len - 1) +
                                " (the model's context leaves room for the context)");
  std::vector<int> tokens = tokenizer.encode(context, /*bos=*/true, /*eos=*/false);
  if (tokens.empty())
    throw std::invalid_argument("the context gives no token to condition on (no BOS and an empty context)");
  return tokens;
}

}  // namespace

void check_task_sample(const Tokenizer& tokenizer, TaskKind kind, const TaskSample& sample, int seq_len,
                       const TaskScoringOptions& options) {
  if (kind == TaskKind::Exact) {
    (void)generation_context(tokenizer, sample.context, seq_len, options);
    return;
  }
  for (const std::string& c : sample.choices)
    (void)continuation_tokens(tokenizer, sample.context, c, static_cast<std::size_t>(seq_len));
}

SampleResult run_task_sample(Transformer& model, const Tokenizer& tokenizer, TaskKind kind, const TaskSample& sample,
                             int first_sequence, const TaskScoringOptions& options) {
  SampleResult r;
  if (kind == TaskKind::Exact) {
    const int seq_len = model.config().seq_len;
    std::vector<int> tokens = generation_context(tokenizer, sample.context, seq_len, options);
    const auto room = static_cast<std::size_t>(seq_len - options.max_new_tokens);
    if (tokens.size() > room) tokens.erase(tokens.begin(), tokens.end() - static_cast<std::ptrdiff_t>(room));
    model.begin_sequence(first_sequence);
    std::span<const float> logits = model.prefill(tokens, 0, /*all_logits=*/false);
    r.tokens_processed = static_cast<std::int64_t>(tokens.size());
    std::string text;
    double loglik = 0.0;
    int pos = static_cast<int>(tokens.size());
    int prev = tokens.back();
    for (int step = 0; step < options.max_new_tokens; ++step) {
      const int next = argmax(logits);
      loglik += log_softmax_at(logits, next, r.finite);
      if (next == tokenizer.eos() || next == tokenizer.bos()) break;
      r.tokens.push_back(next);
      text += tokenizer.decode(prev, next);
      prev = next;
      if (text.find('\n') != std::string::npos || pos >= seq_len) break;
      logits = model.decode(next, pos++);
      ++r.tokens_processed;
    }
    r.logliks = {loglik};
    r.answer = trim(text.substr(0, text.find('\n')));
    r.correct = r.answer == trim(sample.choices.at(0));
    r.correct_norm = r.correct;
    r.sequences = 1;
    return r;
  }
  std::vector<double> per_byte;
  bool greedy = true;
  for (std::size_t c = 0; c < sample.choices.size(); ++c) {
    const Continuation s = score_continuation(model, tokenizer, sample.context, sample.choices[c],
                                              first_sequence + static_cast<int>(c), r.finite);
    r.logliks.push_back(s.loglik);
    per_byte.push_back(s.loglik / static_cast<double>(sample.choices[c].size()));
    r.tokens.insert(r.tokens.end(), s.argmax.begin(), s.argmax.end());
    r.tokens_processed += static_cast<std::int64_t>(s.processed);
    greedy = greedy && s.argmax == s.target;
    ++r.sequences;
  }
  if (kind == TaskKind::Lambada) {
    r.answer = tokenizer.decode(r.tokens);
    r.correct = greedy;
    r.correct_norm = greedy;
    return r;
  }
  const auto best = [](const std::vector<double>& v) {
    return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());  // the first on ties
  };
  const int chosen = best(r.logliks);
  r.answer = std::to_string(chosen);
  r.correct = chosen == sample.gold;
  r.correct_norm = best(per_byte) == sample.gold;
  return r;
}

}  // namespace saffire::models::llm
