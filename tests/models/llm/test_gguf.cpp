// GGUF (llama architecture): stories260K written as GGUF by the tests (gguf_fixture.hpp) against the llama2.c path
// (greedy text, PPL, tokens), F16 / Q8_0 deltas, mapped projections, and hostile files.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "gguf_fixture.hpp"
#include "llm_test_support.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/llm/generate.hpp"
#include "models/llm/gguf_checkpoint.hpp"
#include "models/llm/gguf_file.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/perplexity.hpp"
#include "models/llm/tokenizer_json.hpp"

using namespace saffire::models;
using namespace saffire::models::llm;
using test::ScratchDir;

TEST_CASE("stories260K as an F32 GGUF gives the llama2.c path's text, tokens and perplexity", "[integration][llm][gguf]") {
  if (!test::have_stories()) return;
  ScratchDir dir("gguf_f32");
  const auto file = dir / "stories260K.gguf";
  test::write_llama_gguf(file, test::stories260k(), test::kGgmlF32, &test::tok512());
  const LanguageModel g = load_language_model(file.string());
  const LanguageModel ref = test::stories260k_reference();
  CHECK(g.checkpoint.format() == CheckpointFormat::Gguf);
  CHECK(g.checkpoint.config().rope.style == RopeStyle::Interleaved);
  CHECK(g.checkpoint.config().to_string() == ref.checkpoint.config().to_string());
  CHECK(g.tokenizer_path == file);  // the file's own tokenizer

  test::check_matches_llama2c(g, ref, "GGUF");
  // W8A8 with the projections left in the mapping: the same PPL as with the FP32 copy.
  const LanguageModel mapped = load_language_model(file.string(), {}, WeightStorage::MappedProjections);
  CHECK_FALSE(mapped.checkpoint.has_fp32_projections());
  CHECK(test::ppl_of(mapped, Precision::W8A8, 40).ppl == test::ppl_of(g, Precision::W8A8, 40).ppl);
}

TEST_CASE("stories260K as F16 and Q8_0 GGUF moves the perplexity a little", "[integration][llm][gguf]") {
  if (!test::have_stories()) return;
  ScratchDir dir("gguf_quant");
  const double base = test::ppl_of(test::stories260k_reference(), Precision::FP32, 40).ppl;
  for (const auto& [name, type] : {std::pair{"F16", test::kGgmlF16}, std::pair{"Q8_0", test::kGgmlQ8_0}}) {
    const auto file = dir / (std::string(name) + ".gguf");
    test::write_llama_gguf(file, test::stories260k(), type, &test::tok512());
    const LanguageModel g = load_language_model(file.string());
    const double ppl = test::ppl_of(g, Precision::FP32, 40).ppl;
    const double rel = (ppl - base) / base;
    WARN(name << " GGUF: FP32 PPL " << ppl << " vs " << base << " (F32 weights), relative change " << rel);
    CHECK(std::fabs(rel) < 0.01);
    CHECK(ppl != base);
    const LanguageModel mapped = load_language_model(file.string(), {}, WeightStorage::MappedProjections);
    CHECK(test::ppl_of(mapped, Precision::W8A8, 20).ppl == test::ppl_of(g, Precision::W8A8, 20).ppl);
  }
  // Q8_0 dequantizes to within half a block scale of the F32 weight: wq[0] of layer 0, element by element.
  const auto file = dir / "Q8_0.gguf";
  const Checkpoint& ref = test::stories260k();
  const LanguageModel q = load_language_model(file.string());
  const int d = ref.config().dim;
  for (int b = 0; b < d / 32; ++b) {
    float amax = 0;
    for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(ref.weights().wq[b * 32 + i]));
    for (int i = 0; i < 32; ++i) {
      CHECK(std::fabs(q.checkpoint.weights().wq[b * 32 + i] - ref.weights().wq[b * 32 + i]) <= 0.5f * amax / 127.0f * 1.01f);
    }
  }
}

TEST_CASE("a GGUF file without a tokenizer needs --tokenizer", "[unit][llm][gguf]") {
  if (!test::have_stories()) return;
  ScratchDir dir("gguf_notok");
  const auto file = dir / "bare.gguf";
  test::write_llama_gguf(file, test::stories260k(), test::kGgmlF32, nullptr);
  test::check_error([&] { (void)load_language_model(file.string()); }, {"bare.gguf", "tokenizer.ggml.tokens", "--tokenizer"});
  const LanguageModel lm = load_language_model(file.string(), test::shared_file("tok512.bin").string());
  CHECK(lm.tokenizer.vocab_size() == 512);
  CHECK(test::greedy_text(lm, 60) == std::string(test::kGoldenText).substr(0, test::greedy_text(lm, 60).size()));
}

TEST_CASE("hostile GGUF files are rejected naming the file and the key or tensor", "[unit][llm][gguf]") {
  if (!test::have_stories()) return;
  ScratchDir dir("gguf_hostile");
  const Checkpoint& ckpt = test::stories260k();
  const auto meta = test::llama_gguf_metadata(ckpt.config(), nullptr);
  const auto tensors = test::llama_gguf_tensors(ckpt, test::kGgmlF32);
  const auto file = dir / "bad.gguf";
  const auto load = [&] { (void)load_language_model(file.string(), test::shared_file("tok512.bin").string()); };
  const auto bytes_of = [&] {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto rewrite = [&](const std::string& b) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << b;
  };

  SECTION("bad magic: not taken for GGUF, and the llama2.c reader rejects it") {
    test::write_gguf(file, meta, tensors);
    std::string b = bytes_of();
    b[0] = 'X';
    rewrite(b);
    CHECK_FALSE(is_gguf_file(file));
    test::check_error([&] { (void)GgufFile(file); }, {"bad.gguf", "bad magic"});
    CHECK_THROWS_AS(load(), ModelFileError);
  }
  SECTION("truncated in the metadata, in the tensor infos, in the data") {
    test::write_gguf(file, meta, tensors);
    const std::string b = bytes_of();
    for (const std::size_t keep : {std::size_t{30}, std::size_t{900}, b.size() - 100}) {
      rewrite(b.substr(0, keep));
      INFO("kept " << keep << " of " << b.size() << " bytes");
      test::check_error(load, {"bad.gguf"});
      CHECK_THROWS_AS(load(), ModelFileError);
    }
    rewrite(b.substr(0, 30));
    test::check_error(load, {"bad.gguf", "truncated", "key"});
    rewrite(b.substr(0, b.size() - 100));
    test::check_error(load, {"bad.gguf", "output_norm.weight", "outside the tensor data"});
  }
  SECTION("a tensor offset out of range") {
    auto t = tensors;
    t[3].offset_bump = 1 << 24;
    test::write_gguf(file, meta, t);
    test::check_error(load, {"bad.gguf", t[3].name.c_str(), "outside the tensor data"});
  }
  SECTION("overlapping tensors") {
    auto t = tensors;
    t[2].offset_bump = -32;
    test::write_gguf(file, meta, t);
    test::check_error(load, {"bad.gguf", "overlap"});
  }
  SECTION("unknown architecture") {
    auto m = meta;
    m[0] = test::kv_string("general.architecture", "mamba");
    test::write_gguf(file, m, tensors);
    test::check_error(load, {"bad.gguf", "general.architecture", "mamba", "supported: llama"});
  }
  SECTION("unknown tensor type") {
    auto t = tensors;
    t[2].type = test::kGgmlQ4_0;
    test::write_gguf(file, meta, t);
    test::check_error(load, {"bad.gguf", t[2].name.c_str(), "ggml type 2", "not supported"});
  }
  SECTION("a missing key, a mistyped key, a missing tensor, a wrong shape") {
    auto m = meta;
    m.erase(m.begin() + 5);  // llama.block_count
    test::write_gguf(file, m, tensors);
    test::check_error(load, {"bad.gguf", "llama.block_count", "missing"});
    m = meta;
    m[5] = test::kv_string("llama.block_count", "five");
    test::write_gguf(file, m, tensors);
    test::check_error(load, {"bad.gguf", "llama.block_count", "string", "integer"});
    auto t = tensors;
    t.erase(t.begin() + 4);  // blk.0.attn_v.weight
    test::write_gguf(file, meta, t);
    test::check_error(load, {"bad.gguf", "blk.0.attn_v.weight", "missing"});
    t = tensors;
    t[2].ne = {t[2].ne[1], t[2].ne[0] / 2};
    t[2].data.resize(t[2].data.size() / 2);
    test::write_gguf(file, meta, t);
    test::check_error(load, {"bad.gguf", "blk.0.attn_q.weight", "metadata implies"});
  }
  SECTION("a non-finite weight") {
    auto t = tensors;
    const float inf = INFINITY;
    std::memcpy(t[2].data.data() + 8, &inf, 4);
    test::write_gguf(file, meta, t);
    test::check_error(load, {"bad.gguf", "blk.0.attn_q.weight", "non-finite", "element 2"});
  }
}

TEST_CASE("a GGUF byte-level (gpt2) tokenizer encodes by merge rank, ids derived by hand", "[unit][llm][gguf]") {
  ScratchDir dir("gguf_gpt2_tok");
  const auto file = dir / "tok.gguf";
  // ids 0..255: the bytes in GPT-2's alphabet; merges 0 "Ġ t" -> 256, 1 "h e" -> 257, 2 "Ġt he" -> 258 "Ġthe",
  // 3 "t he" -> 259 "the"; 260 <|endoftext|>.
  const std::string G = byte_level_char(' ');
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.push_back(byte_level_char(static_cast<unsigned char>(b)));
  for (const std::string& t : {G + "t", std::string("he"), G + "the", std::string("the"), std::string("<|endoftext|>")}) tokens.push_back(t);
  std::vector<test::GgufEntry> kv = {test::kv_string("tokenizer.ggml.model", "gpt2"),
                                     test::kv_string("tokenizer.ggml.pre", "gpt-2"),
                                     test::kv_strings("tokenizer.ggml.tokens", tokens),
                                     test::kv_strings("tokenizer.ggml.merges", {G + " t", "h e", G + "t he", "t he"}),
                                     test::kv_u32("tokenizer.ggml.bos_token_id", 260),
                                     test::kv_u32("tokenizer.ggml.eos_token_id", 260)};
  test::write_gguf(file, kv, {});
  const auto tok = load_gguf_tokenizer(GgufFile(file));
  REQUIRE(tok.has_value());
  CHECK(tok->vocab_size() == 261);
  CHECK(tok->piece(258) == " the");
  using V = std::vector<int>;
  CHECK(tok->encode("the the", true, true) == V{260, 259, 258, 260});
  CHECK(tok->encode("  the", false, false) == V{' ', 258});
  CHECK(tok->encode("teh", false, false) == V{'t', 'e', 'h'});
  CHECK(tok->decode(tok->encode("caf\xC3\xA9 \xF0\x9F\x98\x80 the", true, false)) == "caf\xC3\xA9 \xF0\x9F\x98\x80 the");

  kv[1] = test::kv_string("tokenizer.ggml.pre", "llama-bpe");
  test::write_gguf(file, kv, {});
  test::check_error([&] { (void)load_gguf_tokenizer(GgufFile(file)); }, {"tok.gguf", "tokenizer.ggml.pre", "llama-bpe"});
  kv[1] = test::kv_string("tokenizer.ggml.pre", "gpt-2");
  kv[3] = test::kv_strings("tokenizer.ggml.merges", {"qq zz"});
  test::write_gguf(file, kv, {});
  test::check_error([&] { (void)load_gguf_tokenizer(GgufFile(file)); }, {"tok.gguf", "tokenizer.ggml.merges", "qq zz"});
  kv[0] = test::kv_string("tokenizer.ggml.model", "bert");
  test::write_gguf(file, kv, {});
  test::check_error([&] { (void)load_gguf_tokenizer(GgufFile(file)); }, {"tok.gguf", "tokenizer.ggml.model", "bert"});
}
