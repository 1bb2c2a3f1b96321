// FP32 forward pass of stories260K: the golden greedy text, position-0 logits, prefill == decode.
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "llm_test_support.hpp"
#include "models/llm/generate.hpp"
#include "models/llm/transformer.hpp"

using namespace saffire::models;
using namespace saffire::models::llm;

TEST_CASE("stories260K FP32 greedy generation reproduces the golden text exactly", "[golden][llm]") {
  Transformer model(test::stories260k());
  Sampler sampler(model.config().vocab_size, SamplerOptions{});
  const GenerationResult r = generate(model, test::tok512(), sampler, "Once upon a time", 200);
  CHECK(std::vector<int>(r.tokens.begin(), r.tokens.begin() + 5) == std::vector<int>{1, 403, 407, 261, 378});
  CHECK(r.prompt_tokens == 5);
  CHECK(r.tokens.size() == 201u);  // 200 forward positions, the last one predicts token 200
  CHECK(r.text == test::kGoldenText);
}

TEST_CASE("stories260K FP32 logits at position 0 match the golden values", "[golden][llm]") {
  Transformer model(test::stories260k());
  const std::vector<int> bos = {Tokenizer::kBos};
  const auto logits = model.prefill(bos);
  REQUIRE(logits.size() == 512u);
  // README values are rounded to 4 decimals (error <= 5e-5); FP32 reassociation adds ~1e-6.
  CHECK(std::abs(logits[0] - -6.2229) < 1e-4);
  CHECK(std::abs(logits[1] - 8.4043) < 1e-4);
  // The sum of 512 logits of magnitude ~10 carries up to ~512 * 1e-6 of FP32 noise, plus the README rounding.
  const double sum = std::accumulate(logits.begin(), logits.end(), 0.0);
  CHECK(std::abs(sum - -1070.1717) < 1e-3);
}

TEST_CASE("batched prefill and token-by-token decode give the same logits", "[unit][llm]") {
  const Tokenizer& tok = test::tok512();
  const std::vector<int> tokens =
      tok.encode("Once upon a time, there was a little dog named Max. He liked to run.", true, false);
  REQUIRE(tokens.size() > 10u);
  const auto v = static_cast<std::size_t>(test::stories260k().config().vocab_size);

  Transformer batched(test::stories260k());
  const auto all = batched.prefill(tokens, 0, /*all_logits=*/true);
  const std::vector<float> prefill_logits(all.begin(), all.end());

  Transformer stepwise(test::stories260k());
  float max_diff = 0.0f;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto row = stepwise.decode(tokens[i], static_cast<int>(i));
    for (std::size_t j = 0; j < v; ++j) max_diff = std::max(max_diff, std::abs(row[j] - prefill_logits[i * v + j]));
  }
  // Same math, different summation order in the GEMMs (M = T vs M = 1): differences of FP32 rounding only.
  CHECK(max_diff < 1e-4f);

  // A prefill split in two chunks (prompt, then continuation reading the cache) agrees too.
  Transformer chunked(test::stories260k());
  const std::size_t half = tokens.size() / 2;
  chunked.prefill(std::span<const int>(tokens.data(), half), 0);
  const auto rest = chunked.prefill(std::span<const int>(tokens.data() + half, tokens.size() - half),
                                    static_cast<int>(half), /*all_logits=*/true);
  float chunk_diff = 0.0f;
  for (std::size_t i = half; i < tokens.size(); ++i) {
    for (std::size_t j = 0; j < v; ++j) {
      chunk_diff = std::max(chunk_diff, std::abs(rest[(i - half) * v + j] - prefill_logits[i * v + j]));
    }
  }
  CHECK(chunk_diff < 1e-4f);
}

TEST_CASE("forward rejects positions past the context and bad token ids", "[unit][llm]") {
  Transformer model(test::stories260k());
  const std::vector<int> one = {1};
  CHECK_THROWS_AS(model.forward(one, 512, Stage::Decode, false), std::out_of_range);
  const std::vector<int> bad = {1, 600};
  CHECK_THROWS_AS(model.prefill(bad), std::out_of_range);
  const std::vector<int> none;
  CHECK_THROWS_AS(model.prefill(none), std::invalid_argument);
}
