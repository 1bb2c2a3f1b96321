// The WikiText protocol: sliding scoring windows over the whole text (HF's perplexity guide).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "llm_test_support.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/perplexity.hpp"
#include "models/llm/scoring_windows.hpp"
#include "models/llm/sampler.hpp"

using namespace saffire::models::llm;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Closed forms for n tokens, windows of L every S: W = 1 when n <= L, else 1 + ceil((n - L) / S) windows; all
// but the last are full, so (W - 1) L + (n - (W - 1) S) tokens run; with S < L every token but t_0 is scored
// once (n - 1), with S = L each window's first token is not (n - W).
struct ClosedForm {
  std::int64_t windows, processed, scored;
};
ClosedForm closed_form(std::int64_t n, std::int64_t ctx, std::int64_t stride) {
  const std::int64_t w = n <= ctx ? 1 : 1 + ceil_div(n - ctx, stride);
  return {w, (w - 1) * ctx + (n - (w - 1) * stride), stride < ctx ? n - 1 : n - w};
}

// NLL of the next token after `row` (double precision throughout).
double nll_of(std::span<const float> row, int target) {
  double z = 0.0;
  for (const float x : row) z += std::exp(static_cast<double>(x));
  return std::log(z) - row[static_cast<std::size_t>(target)];
}

}  // namespace

TEST_CASE("scoring windows: counts equal the closed forms, every token scored at most once", "[unit][llm][ppl]") {
  for (const std::int64_t n : {2, 3, 7, 64, 65, 100, 1000, 1001}) {
    for (const int ctx : {2, 5, 64}) {
      for (const int stride : {1, 2, 3, ctx / 2, ctx - 1, ctx}) {
        if (stride > ctx) continue;
        const auto windows = scoring_windows(n, ctx, stride);
        const ClosedForm want = closed_form(n, ctx, stride);
        INFO("n " << n << " ctx " << ctx << " stride " << stride);
        REQUIRE(static_cast<std::int64_t>(windows.size()) == want.windows);
        std::int64_t processed = 0, scored = 0;
        std::vector<int> times(static_cast<std::size_t>(n), 0);
        for (std::size_t w = 0; w < windows.size(); ++w) {
          const ScoringWindow& win = windows[w];
          CHECK(win.begin == static_cast<std::int64_t>(w) * stride);
          CHECK(win.end - win.begin <= ctx);
          CHECK(win.scored_from > win.begin);
          CHECK(win.scored_from <= win.end);
          processed += win.end - win.begin;
          scored += win.end - win.scored_from;
          for (std::int64_t t = win.scored_from; t < win.end; ++t) ++times[static_cast<std::size_t>(t)];
          // After the first window, stride < ctx scores the last `stride` tokens (fewer only in the last window).
          if (w > 0 && stride < ctx && w + 1 < windows.size()) CHECK(win.end - win.scored_from == stride);
        }
        CHECK(windows.back().end == n);
        CHECK(processed == want.processed);
        CHECK(scored == want.scored);
        CHECK(times[0] == 0);
        for (std::int64_t t = 1; t < n; ++t) CHECK(times[static_cast<std::size_t>(t)] <= 1);
      }
    }
  }
  CHECK_THROWS_AS(scoring_windows(10, 1, 1), std::invalid_argument);
  CHECK_THROWS_AS(scoring_windows(10, 4, 0), std::invalid_argument);
  CHECK_THROWS_AS(scoring_windows(10, 4, 5), std::invalid_argument);
  CHECK_THROWS_AS(scoring_windows(1, 4, 4), std::invalid_argument);
}

TEST_CASE("WikiText perplexity equals a naive loop over HF's sliding windows", "[unit][llm][ppl]") {
  // The start of WikiText-2's test split (about 1000 bytes, a few hundred tokens of tok512).
  const std::string text = read_file(test::shared_file("wiki.test.raw")).substr(0, 1000);
  const Tokenizer& tok = test::tok512();
  const std::vector<int> ids = tok.encode(text, /*bos=*/true, /*eos=*/false);
  const auto n = static_cast<std::int64_t>(ids.size());
  REQUIRE(n > 200);
  for (const int stride : {24, 64}) {
    const int ctx = 64;
    Transformer model(test::stories260k());
    PerplexityOptions o;
    o.protocol = PerplexityProtocol::WikiText;
    o.ctx = ctx;
    o.stride = stride == ctx ? 0 : stride;  // 0: the default, ctx
    o.keep_predictions = true;
    int calls = 0, last_total = 0;
    const PerplexityResult r = evaluate_perplexity(model, tok, text, o, [&](int done, int total) {
      calls = done;
      last_total = total;
    });

    // Reference, as the guide's loop reads: for begin in range(0, n, stride): end = min(begin + ctx, n),
    // trg_len = end - prev_end; the window's labels before its last trg_len are masked, and the shift drops
    // position 0's. Each window decoded token by token on a fresh sequence.
    double nll = 0.0;
    std::int64_t scored = 0, windows = 0, processed = 0;
    std::vector<int> preds;
    Transformer step(test::stories260k());
    std::int64_t prev_end = 0;
    for (std::int64_t begin = 0; begin < n; begin += stride) {
      const std::int64_t end = std::min<std::int64_t>(begin + ctx, n);
      const std::int64_t trg_len = end - prev_end;
      const std::int64_t len = end - begin;
      step.begin_sequence(static_cast<int>(windows));
      for (std::int64_t i = 0; i + 1 < len; ++i) {
        const auto row = step.decode(ids[static_cast<std::size_t>(begin + i)], static_cast<int>(i));
        const std::int64_t label = i + 1;  // the position whose token this row predicts
        if (label < len - trg_len) continue;
        nll += nll_of(row, ids[static_cast<std::size_t>(begin + label)]);
        preds.push_back(argmax(row));
        ++scored;
      }
      ++windows;
      processed += len;
      prev_end = end;
      if (end == n) break;
    }
    INFO("stride " << stride);
    const ClosedForm want = closed_form(n, ctx, stride);
    CHECK(scored == want.scored);
    CHECK(windows == want.windows);
    CHECK(r.text_tokens == n);
    CHECK(r.tokens_scored == scored);
    CHECK(r.paragraphs == windows);
    CHECK(r.tokens_processed == processed);
    CHECK(calls == windows);
    CHECK(last_total == windows);
    CHECK(r.mean_nll * static_cast<double>(r.tokens_scored) == Approx(nll).epsilon(1e-5));
    CHECK(r.ppl == Approx(std::exp(r.mean_nll)));
    CHECK(r.predictions == preds);
    // A TinyStories model on Wikipedia text: far worse than on stories (PPL ~4), far better than uniform (512).
    CHECK(r.ppl > 10.0);
    CHECK(r.ppl < 512.0);
  }
}

TEST_CASE("the WikiText protocol rejects a bad ctx or stride and a text without a prediction", "[unit][llm][ppl]") {
  Transformer model(test::stories260k());
  PerplexityOptions o;
  o.protocol = PerplexityProtocol::WikiText;
  const std::string text = "a text long enough to give a few tokens";
  o.ctx = 16;
  o.stride = 17;
  CHECK_THROWS_WITH(evaluate_perplexity(model, test::tok512(), text, o), Catch::Contains("stride"));
  o.stride = -1;
  CHECK_THROWS_WITH(evaluate_perplexity(model, test::tok512(), text, o), Catch::Contains("stride"));
  o.stride = 0;
  o.ctx = 513;  // stories260K's seq_len is 512
  CHECK_THROWS_WITH(evaluate_perplexity(model, test::tok512(), text, o), Catch::Contains("ctx"));
  o.ctx = 1;
  CHECK_THROWS_WITH(evaluate_perplexity(model, test::tok512(), text, o), Catch::Contains("ctx"));
  o.ctx = 16;
  CHECK_THROWS_WITH(evaluate_perplexity(model, test::tok512(), "", o), Catch::Contains("nothing to predict"));
  CHECK(parse_perplexity_protocol("wikitext") == PerplexityProtocol::WikiText);
  CHECK_THROWS_WITH(parse_perplexity_protocol("lambada"), Catch::Contains("paragraphs, wikitext"));
}
