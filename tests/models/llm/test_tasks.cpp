// Task samples (lambada from paragraphs, choice and exact from JSONL), their scoring on stories260K against an
// independent token-by-token reference, and the outcome classes of a faulty run.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "models/llm/sampler.hpp"
#include "models/llm/task_samples.hpp"
#include "models/llm/task_scoring.hpp"
#include "tests/models/llm/llm_test_support.hpp"

namespace saffire::models::llm {
namespace {

using test::check_error;

// log P(continuation | context) run one token at a time through decode (not the batched prefill), in double.
double reference_loglik(Transformer& model, const Tokenizer& tok, const std::string& context, const std::string& cont,
                        std::vector<int>* argmax_tokens = nullptr) {
  const std::vector<int> prefix = tok.encode(context, true, false);
  const std::vector<int> whole = tok.encode(context + cont, true, false);
  REQUIRE(whole.size() > prefix.size());
  REQUIRE(std::equal(prefix.begin(), prefix.end(), whole.begin()));
  model.begin_sequence(0);
  double ll = 0.0;
  for (std::size_t j = 0; j + 1 < whole.size(); ++j) {
    const std::span<const float> row = model.decode(whole[j], static_cast<int>(j));
    if (j + 1 < prefix.size()) continue;
    double sum = 0.0;
    for (const float x : row) sum += std::exp(static_cast<double>(x));
    ll += static_cast<double>(row[static_cast<std::size_t>(whole[j + 1])]) - std::log(sum);
    if (argmax_tokens) argmax_tokens->push_back(argmax(row));
  }
  return ll;
}

TEST_CASE("lambada samples: the last word of each paragraph, punctuation dropped", "[tasks]") {
  const std::string text = "The cat sat on the mat.\n\nOne\n\n  Big dog ran \"home!\"  \n\n\n\nA b c";
  const std::vector<TaskSample> s = lambada_samples(text, "t.txt", 10);
  REQUIRE(s.size() == 3);
  CHECK(s[0].context == "The cat sat on the");
  CHECK(s[0].choices == std::vector<std::string>{" mat"});
  CHECK(s[0].source_line == 1);
  CHECK(s[1].context == "  Big dog ran");
  CHECK(s[1].choices == std::vector<std::string>{" \"home"});
  CHECK(s[1].source_line == 3);
  CHECK(s[2].context == "A b");
  CHECK(s[2].choices == std::vector<std::string>{" c"});
  CHECK(lambada_samples(text, "t.txt", 2).size() == 2);
  check_error([] { (void)lambada_samples("One\n\nTwo.", "words.txt", 10); }, {"words.txt", "last word"});
}

TEST_CASE("JSONL samples: choice and exact lines, errors name the file, line and key", "[tasks]") {
  const std::string choice =
      "{\"context\": \"Q: 2+2?\", \"choices\": [\" 3\", \" 4\"], \"gold\": 1}\n\n"
      "{\"context\": \"x\", \"choices\": [\" a\", \" b\", \" c\"], \"gold\": 0}\n";
  const std::vector<TaskSample> s = jsonl_samples(TaskKind::Choice, choice, "c.jsonl", 10);
  REQUIRE(s.size() == 2);
  CHECK(s[0].context == "Q: 2+2?");
  CHECK(s[0].choices == std::vector<std::string>{" 3", " 4"});
  CHECK(s[0].gold == 1);
  CHECK(s[1].source_line == 3);
  CHECK(s[1].choices.size() == 3);
  const std::vector<TaskSample> e =
      jsonl_samples(TaskKind::Exact, "{\"context\": \"Once\", \"answer\": \" upon\"}", "e.jsonl", 10);
  REQUIRE(e.size() == 1);
  CHECK(e[0].choices == std::vector<std::string>{" upon"});

  const auto bad = [](TaskKind kind, const std::string& text, std::initializer_list<const char*> parts) {
    check_error([&] { (void)jsonl_samples(kind, text, "bad.jsonl", 10); }, parts);
  };
  const std::string ok = "{\"context\": \"x\", \"choices\": [\"a\", \"b\"], \"gold\": 0}\n";
  bad(TaskKind::Choice, ok + "{\"context\": \"x\", \"choices\": [\"a\", \"b\"], \"gold\": 2}", {"bad.jsonl", "line 2", "gold", "0..1"});
  bad(TaskKind::Choice, ok + "{\"context\": \"x\", \"choices\": [\"a\", \"b\"]}", {"line 2", "gold"});
  bad(TaskKind::Choice, "{\"context\": \"x\", \"choices\": [\"a\"], \"gold\": 0}", {"line 1", "choices", "two"});
  bad(TaskKind::Choice, "{\"context\": \"x\", \"choices\": [\"a\", 3], \"gold\": 0}", {"line 1", "choices", "not a string"});
  bad(TaskKind::Choice, "{\"choices\": [\"a\", \"b\"], \"gold\": 0}", {"line 1", "context", "missing"});
  bad(TaskKind::Exact, "{\"context\": 5, \"answer\": \"a\"}", {"line 1", "context", "must be a string"});
  bad(TaskKind::Exact, "{\"context\": \"a\"}", {"answer", "missing"});
  bad(TaskKind::Exact, "[1, 2]", {"line 1", "JSON object"});
  bad(TaskKind::Exact, "{not json", {"line 1", "not JSON"});
  bad(TaskKind::Exact, "\n  \n", {"bad.jsonl", "no exact sample"});
  check_error([] { (void)parse_task_kind("trivia"); }, {"trivia", "lambada, choice, exact"});
}

TEST_CASE("outcome classes of a faulty run against the clean one", "[tasks]") {
  SampleResult clean;
  clean.logliks = {-1.5, -2.0};
  clean.tokens = {5, 7};
  clean.answer = "0";
  SampleResult f = clean;
  CHECK(classify_outcome(clean, f) == Outcome::Masked);
  f.logliks[1] = -2.0000001;
  CHECK(classify_outcome(clean, f) == Outcome::BenignSdc);
  f = clean;
  f.tokens[1] = 8;
  CHECK(classify_outcome(clean, f) == Outcome::BenignSdc);
  f.answer = "1";
  CHECK(classify_outcome(clean, f) == Outcome::CriticalSdc);
  f = clean;  // two token lists that decode alike: the verdict changed, so the answer did
  f.tokens[1] = 8;
  f.correct = !clean.correct;
  CHECK(classify_outcome(clean, f) == Outcome::CriticalSdc);
  f = clean;
  f.finite = false;
  CHECK(classify_outcome(clean, f) == Outcome::CrashLike);
  CHECK(to_string(Outcome::CrashLike) == "crash-like");
}

TEST_CASE("task scoring on stories260K matches a token-by-token reference", "[tasks][model]") {
  if (!test::have_stories()) return;
  const Checkpoint& ckpt = test::stories260k();
  const Tokenizer& tok = test::tok512();
  Transformer model(ckpt);
  Transformer reference(ckpt);
  const std::string context = "Once upon a time, there was a little girl named Lily. She loved to play";

  SECTION("choice: log-likelihoods, the chosen index and gold") {
    TaskSample s;
    s.context = context;
    s.choices = {" outside", " with her toys", " zebra quantum"};
    std::vector<double> ref;
    for (const std::string& c : s.choices) ref.push_back(reference_loglik(reference, tok, context, c));
    const int best = static_cast<int>(std::max_element(ref.begin(), ref.end()) - ref.begin());
    s.gold = best;
    const SampleResult r = run_task_sample(model, tok, TaskKind::Choice, s, 0);
    REQUIRE(r.logliks.size() == 3);
    for (std::size_t c = 0; c < 3; ++c) CHECK(r.logliks[c] == Approx(ref[c]).epsilon(1e-4));
    CHECK(r.answer == std::to_string(best));
    CHECK(r.correct);
    CHECK(r.sequences == 3);
    CHECK(r.finite);
    s.gold = (best + 1) % 3;
    CHECK_FALSE(run_task_sample(model, tok, TaskKind::Choice, s, 0).correct);
  }
  SECTION("lambada: right exactly when the greedy tokens are the target's") {
    // The model's own greedy continuation is a target it gets right; another word is not.
    Sampler greedy(ckpt.config().vocab_size, {});
    const GenerationResult g = generate(reference, tok, greedy, context, 30);
    const std::string cont = tok.decode(std::span<const int>(g.tokens).subspan(static_cast<std::size_t>(g.prompt_tokens), 1));
    TaskSample s;
    s.context = context;
    s.choices = {cont};
    std::vector<int> ref_argmax;
    const double ll = reference_loglik(reference, tok, context, cont, &ref_argmax);
    const SampleResult r = run_task_sample(model, tok, TaskKind::Lambada, s, 0);
    CHECK(r.correct);
    CHECK(r.logliks[0] == Approx(ll).epsilon(1e-4));
    CHECK(r.tokens == ref_argmax);
    CHECK(r.answer == cont);
    s.choices = {" zebra"};
    const SampleResult wrong = run_task_sample(model, tok, TaskKind::Lambada, s, 0);
    CHECK_FALSE(wrong.correct);
    CHECK(wrong.answer != " zebra");
  }
  SECTION("exact: the first line of the greedy generation") {
    Sampler greedy(ckpt.config().vocab_size, {});
    const GenerationResult g = generate(reference, tok, greedy, context, 60);
    std::string generated = tok.decode(std::span<const int>(g.tokens).subspan(static_cast<std::size_t>(g.prompt_tokens)));
    TaskScoringOptions so;
    so.max_new_tokens = 61 - g.prompt_tokens;  // generate() adds a token at every position up to `steps`
    TaskSample s;
    s.context = context;
    const std::string first_line = generated.substr(0, generated.find('\n'));
    const auto b = first_line.find_first_not_of(' ');
    const auto e = first_line.find_last_not_of(' ');
    REQUIRE(b != std::string::npos);
    s.choices = {"  " + first_line.substr(b, e - b + 1) + " "};
    const SampleResult r = run_task_sample(model, tok, TaskKind::Exact, s, 0, so);
    CHECK(r.answer == first_line.substr(b, e - b + 1));
    CHECK(r.correct);
    s.choices = {"something else"};
    CHECK_FALSE(run_task_sample(model, tok, TaskKind::Exact, s, 0, so).correct);
  }
  SECTION("samples the model cannot score are refused, also before any model pass") {
    TaskSample s;
    s.context = context;
    s.choices = {"", " x"};
    check_error([&] { (void)run_task_sample(model, tok, TaskKind::Choice, s, 0); }, {"adds no token"});
    check_error([&] { check_task_sample(tok, TaskKind::Choice, s, ckpt.config().seq_len); }, {"adds no token"});
    std::string longest;
    for (int i = 0; i < ckpt.config().seq_len; ++i) longest += " a";
    s.choices = {longest, " x"};
    check_error([&] { check_task_sample(tok, TaskKind::Choice, s, ckpt.config().seq_len); },
                {"no fewer than the model's context of 512", "...'"});
    TaskScoringOptions so;
    so.max_new_tokens = ckpt.config().seq_len;
    check_error([&] { check_task_sample(tok, TaskKind::Exact, s, ckpt.config().seq_len, so); }, {"max_new_tokens", "1..511"});
    s.choices = {" x", " y"};
    CHECK_NOTHROW(check_task_sample(tok, TaskKind::Choice, s, ckpt.config().seq_len));
  }
}

}  // namespace
}  // namespace saffire::models::llm
