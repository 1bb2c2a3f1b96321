// Sampling, generation and the perplexity protocol.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "llm_test_support.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/llm/generate.hpp"
#include "models/llm/perplexity.hpp"

using namespace saffire::models;
using namespace saffire::models::llm;

TEST_CASE("greedy picks the first maximum; sampling is seeded and follows the distribution", "[unit][llm][sampler]") {
  const std::vector<float> logits = {0.0f, 3.0f, 3.0f, -1.0f};
  Sampler greedy(4, SamplerOptions{});
  CHECK(greedy.sample(logits) == 1);
  CHECK(argmax(logits) == 1);

  // log(probabilities) 0.1, 0.2, 0.3, 0.4 at temperature 1.
  const std::vector<float> lp = {std::log(0.1f), std::log(0.2f), std::log(0.3f), std::log(0.4f)};
  SamplerOptions o;
  o.temperature = 1.0f;
  o.seed = 1234;
  Sampler a(4, o), b(4, o);
  std::map<int, int> counts;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const int x = a.sample(lp);
    CHECK(x == b.sample(lp));  // same seed, same tokens
    ++counts[x];
  }
  for (int k = 0; k < 4; ++k) CHECK(counts[k] / static_cast<double>(n) == Approx(0.1 * (k + 1)).margin(0.015));

  // top-p 0.35 keeps only the most likely token (0.4 > 0.35).
  o.top_p = 0.35f;
  Sampler nucleus(4, o);
  for (int i = 0; i < 100; ++i) CHECK(nucleus.sample(lp) == 3);
  // top-p 0.65 keeps {3, 2} (0.4 + 0.3 > 0.65).
  o.top_p = 0.65f;
  Sampler two(4, o);
  std::map<int, int> c2;
  for (int i = 0; i < 2000; ++i) ++c2[two.sample(lp)];
  CHECK(c2.size() == 2u);
  CHECK(c2[3] > c2[2]);

  o.temperature = -1.0f;
  CHECK_THROWS_AS(Sampler(4, o), std::invalid_argument);
  CHECK_THROWS_AS(greedy.sample(std::vector<float>(3)), std::invalid_argument);
}

TEST_CASE("seeded temperature generation is reproducible", "[unit][llm][sampler]") {
  Transformer model(test::stories260k());
  SamplerOptions o;
  o.temperature = 0.8f;
  o.top_p = 0.9f;
  o.seed = 99;
  Sampler s1(512, o), s2(512, o);
  const auto r1 = generate(model, test::tok512(), s1, "Once upon a time", 40);
  const auto r2 = generate(model, test::tok512(), s2, "Once upon a time", 40);
  CHECK(r1.tokens == r2.tokens);
  CHECK(r1.text.rfind("Once upon a time", 0) == 0);
  std::string streamed;
  Sampler s3(512, o);
  generate(model, test::tok512(), s3, "Once upon a time", 40, [&](std::string_view p) { streamed += p; });
  CHECK(streamed == r1.text);
}

TEST_CASE("paragraph splitting skips empty paragraphs", "[unit][llm][ppl]") {
  using SV = std::vector<std::string_view>;
  CHECK(split_paragraphs("a\n\nb c\n\n\n\nd\n\n") == SV{"a", "b c", "d"});
  CHECK(split_paragraphs("one\nline") == SV{"one\nline"});
  CHECK(split_paragraphs("\n\n").empty());
  CHECK(split_paragraphs("x\n\n\ny") == SV{"x", "\ny"});
}

TEST_CASE("perplexity follows the protocol: batched prefill per paragraph, n - 1 predictions", "[unit][llm][ppl]") {
  const std::string text = read_file(test::shared_file("tinystories_val.txt"));
  const Tokenizer& tok = test::tok512();
  Transformer model(test::stories260k());
  PerplexityOptions o;
  o.ctx = 48;
  o.paragraphs = 3;
  o.keep_predictions = true;
  int progress = 0;
  const PerplexityResult r = evaluate_perplexity(model, tok, text, o, [&](int done, int total) {
    CHECK(total == 3);
    progress = done;
  });
  CHECK(progress == 3);
  CHECK(r.paragraphs == 3);

  // Reference: score the same tokens by token-by-token decoding.
  const auto paragraphs = split_paragraphs(text);
  double nll = 0.0;
  std::int64_t scored = 0;
  std::vector<int> preds;
  Transformer step(test::stories260k());
  for (int p = 0; p < 3; ++p) {
    std::vector<int> ids = tok.encode(paragraphs[static_cast<std::size_t>(p)], true, false);
    if (ids.size() > 48) ids.resize(48);
    for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
      const auto row = step.decode(ids[i], static_cast<int>(i));
      double z = 0.0;
      for (const float x : row) z += std::exp(static_cast<double>(x));
      nll += std::log(z) - row[static_cast<std::size_t>(ids[i + 1])];
      preds.push_back(argmax(row));
      ++scored;
    }
  }
  CHECK(r.tokens_scored == scored);
  CHECK(r.tokens_processed == scored + 3);
  CHECK(r.mean_nll == Approx(nll / static_cast<double>(scored)).epsilon(1e-5));
  CHECK(r.ppl == Approx(std::exp(r.mean_nll)));
  CHECK(r.predictions == preds);
  CHECK(top1_agreement(r.predictions, preds) == 1.0);
  // A small model on in-domain text: perplexity well below the vocabulary size.
  CHECK(r.ppl > 1.0);
  CHECK(r.ppl < 20.0);

  o.ctx = 600;
  CHECK_THROWS_AS(evaluate_perplexity(model, tok, text, o), std::invalid_argument);
  o.ctx = 48;
  CHECK_THROWS_AS(evaluate_perplexity(model, tok, "\n\n\n\n", o), std::invalid_argument);
}

TEST_CASE("top-1 agreement counts equal positions", "[unit][llm][ppl]") {
  CHECK(top1_agreement(std::vector<int>{1, 2, 3, 4}, std::vector<int>{1, 0, 3, 0}) == 0.5);
  CHECK_THROWS_AS(top1_agreement(std::vector<int>{1}, std::vector<int>{1, 2}), std::invalid_argument);
  CHECK_THROWS_AS(top1_agreement(std::vector<int>{}, std::vector<int>{}), std::invalid_argument);
}

TEST_CASE("W8A8 perplexity on a few paragraphs is close to FP32", "[unit][llm][ppl][w8a8]") {
  const std::string text = read_file(test::shared_file("tinystories_val.txt"));
  PerplexityOptions o;
  o.ctx = 64;
  o.paragraphs = 4;
  o.keep_predictions = true;
  Transformer fp32(test::stories260k());
  const auto ref = evaluate_perplexity(fp32, test::tok512(), text, o);
  CpuGemmEngine engine;
  InferenceOptions q;
  q.precision = Precision::W8A8;
  Transformer w8a8(test::stories260k(), q, &engine);
  const auto got = evaluate_perplexity(w8a8, test::tok512(), text, o);
  INFO("FP32 ppl " << ref.ppl << ", W8A8 ppl " << got.ppl);
  CHECK(got.tokens_scored == ref.tokens_scored);
  CHECK(std::abs(got.ppl / ref.ppl - 1.0) < 0.05);
  CHECK(top1_agreement(got.predictions, ref.predictions) > 0.9);
}

TEST_CASE("an empty or blank evaluation text is rejected with the file named", "[unit][llm][ppl]") {
  test::check_error([] { check_evaluation_text("", "empty.txt"); }, {"empty.txt", "empty"});
  test::check_error([] { check_evaluation_text(" \n\n\t\r\n ", "blank.txt"); }, {"blank.txt", "blank"});
  CHECK_THROWS_AS(check_evaluation_text("\n\n", "x.txt"), saffire::ConfigError);  // CLI exit code 2
  CHECK_NOTHROW(check_evaluation_text(" a\n", "ok.txt"));
  CHECK(split_paragraphs("a\n\nb\n\nc", 2) == std::vector<std::string_view>{"a", "b"});
}

TEST_CASE("a clean model whose perplexity is not finite is rejected (D15)", "[unit][llm][ppl][fuzz]") {
  // A finite weight of ~2e38 in the embedding: every logit overflows, PPL is NaN.
  const auto path = test::fuzz_file("ckpt_huge_weight_nan_ppl.bin");
  if (!test::have_file(path)) return;
  const Checkpoint ckpt = load_checkpoint(path);  // every weight is finite: the loader accepts it
  Transformer model(ckpt);
  const std::string text = read_file(test::shared_file("tinystories_val.txt"));
  PerplexityOptions po;
  po.ctx = 16;
  po.paragraphs = 1;
  const PerplexityResult r = evaluate_perplexity(model, test::tok512(), text, po);
  CHECK_FALSE(std::isfinite(r.ppl));
  test::check_error([&] { check_clean_perplexity(r, ckpt); },
                    {"ckpt_huge_weight_nan_ppl.bin", "perplexity", "token_embedding", "index 4439"});
  CHECK_THROWS_AS(check_clean_perplexity(r, ckpt), saffire::ConfigError);
  const WeightExtreme w = largest_weight(ckpt);
  CHECK(w.tensor == "token_embedding");
  CHECK(std::fabs(w.value) > 1e38f);

  // The real model passes.
  Transformer clean(test::stories260k());
  CHECK_NOTHROW(check_clean_perplexity(evaluate_perplexity(clean, test::tok512(), text, po), test::stories260k()));
}
