#pragma once
// generate(): prompt -> text, llama2.c's generation loop with a batched prefill of the prompt.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "models/llm/sampler.hpp"
#include "models/llm/tokenizer.hpp"
#include "models/llm/transformer.hpp"

namespace saffire::models::llm {

struct GenerationResult {
  std::vector<int> tokens;  // BOS, prompt tokens, generated tokens
  int prompt_tokens = 0;    // including BOS
  std::string text;         // decoded prompt + generated text (BOS/EOS produce none)
  double prefill_seconds = 0.0;
  double decode_seconds = 0.0;
  int decode_steps = 0;  // single-token forward passes
};

/// Encodes `prompt` with BOS, prefills it in one pass (sequence `sequence`), then samples one token per step.
/// `steps` counts forward positions as llama2.c's -n does (clamped to seq_len; a longer prompt is cut to it):
/// the result holds steps + 1 tokens unless a BOS/EOS is sampled first (it ends the text and is not kept).
/// on_piece, when set, receives each piece of text as it appears (prompt pieces first).
GenerationResult generate(Transformer& model, const Tokenizer& tokenizer, Sampler& sampler, std::string_view prompt,
                          int steps, const std::function<void(std::string_view)>& on_piece = {}, int sequence = 0);

}  // namespace saffire::models::llm
