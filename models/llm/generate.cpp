#include "models/llm/generate.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace saffire::models::llm {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

GenerationResult generate(Transformer& model, const Tokenizer& tokenizer, Sampler& sampler, std::string_view prompt,
                          int steps, const std::function<void(std::string_view)>& on_piece, int sequence) {
  const LlamaConfig& cfg = model.config();
  if (tokenizer.vocab_size() != cfg.vocab_size) {
    throw std::invalid_argument("tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                                " tokens but the model's vocabulary has " + std::to_string(cfg.vocab_size));
  }
  if (steps <= 0) throw std::invalid_argument("steps must be positive (got " + std::to_string(steps) + ")");
  steps = std::min(steps, cfg.seq_len);

  GenerationResult r;
  r.tokens = tokenizer.encode(prompt, /*bos=*/true, /*eos=*/false);
  if (static_cast<int>(r.tokens.size()) > steps) r.tokens.resize(static_cast<std::size_t>(steps));
  r.prompt_tokens = static_cast<int>(r.tokens.size());
  const auto emit = [&](int prev, int token) {
    if (token == tokenizer.bos() || token == tokenizer.eos()) return;
    const std::string_view piece = tokenizer.decode(prev, token);
    r.text += piece;
    if (on_piece) on_piece(piece);
  };
  for (std::size_t i = 0; i < r.tokens.size(); ++i) emit(i == 0 ? -1 : r.tokens[i - 1], r.tokens[i]);

  model.begin_sequence(sequence);
  auto t0 = std::chrono::steady_clock::now();
  std::span<const float> logits = model.prefill(r.tokens, 0, /*all_logits=*/false);
  r.prefill_seconds = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  int forwarded = r.prompt_tokens;  // positions run through the model so far
  while (true) {
    const int next = sampler.sample(logits);                        // the token at position `forwarded`
    if (next == tokenizer.bos() || next == tokenizer.eos()) break;  // sequence delimiter
    emit(r.tokens.back(), next);
    r.tokens.push_back(next);
    if (forwarded >= steps) break;
    logits = model.decode(next, forwarded);
    ++forwarded;
    ++r.decode_steps;
  }
  r.decode_seconds = seconds_since(t0);
  return r;
}

}  // namespace saffire::models::llm
