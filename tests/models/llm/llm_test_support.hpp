#pragma once
// Shared helpers of the LLM tests: the real model files (../shared/models) and scratch directories.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "models/engine/cpu_engine.hpp"
#include "models/llm/checkpoint.hpp"
#include "models/llm/generate.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/perplexity.hpp"
#include "models/llm/tokenizer.hpp"
#include "tests/test_support.hpp"

namespace saffire::models::llm::test {

/// Path of a shared data file: $SAFFIRE_MODELS, else <source>/../shared/models (SAFFIRE_SOURCE_DIR).
inline std::filesystem::path shared_file(const std::string& name) {
  if (const char* env = std::getenv("SAFFIRE_MODELS"); env != nullptr && *env != '\0') {
    return std::filesystem::path(env) / name;
  }
  return std::filesystem::path(SAFFIRE_SOURCE_DIR) / ".." / "shared" / "models" / name;
}

/// Path of a fuzzing reproducer: <source>/../shared/fuzz/<name> (data only; never copied into the repository).
inline std::filesystem::path fuzz_file(const std::string& name) {
  return std::filesystem::path(SAFFIRE_SOURCE_DIR) / ".." / "shared" / "fuzz" / name;
}

/// True when `path` exists; otherwise prints "SKIPPED: ..." (the caller returns).
inline bool have_file(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return true;
  WARN("SKIPPED: " << path.string() << " is absent");
  return false;
}

/// Checks that f throws and that the message contains every part (instead of combined Catch2 matchers, which
/// ASan flags inside Catch2 v2).
template <typename F>
void check_error(F&& f, std::initializer_list<const char*> parts) {
  const std::string msg = saffire::test::error_of(std::forward<F>(f));
  INFO("error message: \"" << msg << "\"");
  CHECK_FALSE(msg.empty());
  for (const char* part : parts) {
    INFO("expected to contain: \"" << part << "\"");
    CHECK(msg.find(part) != std::string::npos);
  }
}

/// stories260K and tok512, loaded once per test executable.
inline const Checkpoint& stories260k() {
  static const Checkpoint ckpt = load_checkpoint(shared_file("stories260K.bin"));
  return ckpt;
}
inline const Tokenizer& tok512() {
  static const Tokenizer tok(shared_file("tok512.bin"));
  return tok;
}

/// True when stories260K, tok512 and the TinyStories validation text are all present (else SKIPPED warnings).
inline bool have_stories() {
  return have_file(shared_file("stories260K.bin")) && have_file(shared_file("tok512.bin")) &&
         have_file(shared_file("tinystories_val.txt"));
}

/// Paragraph perplexity (ctx 256, the first `paragraphs` of tinystories_val.txt) of a loaded model on the cpu engine.
inline PerplexityResult ppl_of(const LanguageModel& lm, Precision precision, int paragraphs) {
  InferenceOptions inf;
  inf.precision = precision;
  const auto engine = make_cpu_engine();
  Transformer model(lm.checkpoint, inf, engine.get());
  PerplexityOptions po;
  po.ctx = 256;
  po.paragraphs = paragraphs;
  return evaluate_perplexity(model, lm.tokenizer, read_file(shared_file("tinystories_val.txt")), po);
}

/// FP32 greedy continuation of "Once upon a time" (`steps` positions, BOS included).
inline std::string greedy_text(const LanguageModel& lm, int steps) {
  Transformer model(lm.checkpoint);
  Sampler sampler(lm.checkpoint.config().vocab_size, SamplerOptions{});
  return generate(model, lm.tokenizer, sampler, "Once upon a time", steps).text;
}

/// A fresh directory under the system temp dir, removed when the object dies.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    static int counter = 0;
    m_path = std::filesystem::temp_directory_path() /
             ("saffire_llm_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

 private:
  std::filesystem::path m_path;
};

/// The golden greedy output of stories260K for "Once upon a time", 200 positions (shared/models/README.md).
inline constexpr const char* kGoldenText =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw "
    "a big, red ball. She wanted to play with it, but it was too high.\n"
    "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. She said, \"I want "
    "to play with your ball, but I can't find it.\"\n"
    "Lily was sad and didn't know what to do. She said, \"I'm sorry, Lily. I didn't know what to do.\"\n"
    "Lily didn't want to help her mom, so she";

/// stories260K through the llama2.c files, the reference of the other formats' tests.
inline LanguageModel stories260k_reference() {
  return load_language_model(shared_file("stories260K.bin").string(), shared_file("tok512.bin").string());
}

/// `lm` (stories260K in another format) against the llama2.c path `ref`: the same tokens of 200 paragraphs,
/// the golden greedy text, and FP32 and W8A8 PPL of 40 paragraphs to 1e-5 relative.
inline void check_matches_llama2c(const LanguageModel& lm, const LanguageModel& ref, const char* format) {
  const std::string text = read_file(shared_file("tinystories_val.txt"));
  std::size_t differing = 0;
  for (const auto p : split_paragraphs(text, 200)) differing += lm.tokenizer.encode(p, true, false) != ref.tokenizer.encode(p, true, false);
  CHECK(differing == 0u);
  CHECK(greedy_text(lm, 200) == kGoldenText);
  for (const Precision p : {Precision::FP32, Precision::W8A8}) {
    const PerplexityResult a = ppl_of(lm, p, 40), b = ppl_of(ref, p, 40);
    INFO("precision " << to_string(p) << ": " << format << " " << a.ppl << ", llama2.c " << b.ppl);
    CHECK(a.tokens_scored == b.tokens_scored);
    CHECK(std::fabs(a.ppl - b.ppl) <= 1e-5 * b.ppl);
  }
}

}  // namespace saffire::models::llm::test
