// Tokenizer: llama2.c encodings on the 32000-token Llama 2 tokenizer and on tok512, decode rules, bad files.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "llm_test_support.hpp"
#include "models/llm/perplexity.hpp"

using namespace saffire::models::llm;
using V = std::vector<int>;

TEST_CASE("Llama 2 tokenizer.bin encodes as llama2.c does", "[unit][llm][tokenizer]") {
  const Tokenizer tok(test::shared_file("tokenizer.bin"));
  REQUIRE(tok.vocab_size() == 32000);
  CHECK(tok.encode("Hello world", true, false) == V{1, 15043, 3186});
  CHECK(tok.encode("", true, false) == V{1});
  CHECK(tok.encode("", false, false).empty());
  // The cases of llama2.c's test.c.
  CHECK(tok.encode("I believe the meaning of life is", true, false) == V{1, 306, 4658, 278, 6593, 310, 2834, 338});
  CHECK(tok.encode("Simply put, the theory of relativity states that ", true, false) ==
        V{1, 3439, 17632, 1925, 29892, 278, 6368, 310, 14215, 537, 5922, 393, 29871});
  // "10" has no merged token: digits 1 (29896), 0 (29900) after a lone space piece (29871); "\n" is <0x0A> = 13.
  CHECK(tok.encode("Building a website can be done in 10 simple steps:\n", true, true) ==
        V{1, 17166, 263, 4700, 508, 367, 2309, 297, 29871, 29896, 29900, 2560, 6576, 29901, 13, 2});
}

TEST_CASE("tok512 encodes the golden prompt and falls back to bytes", "[unit][llm][tokenizer]") {
  const Tokenizer& tok = test::tok512();
  REQUIRE(tok.vocab_size() == 512);
  CHECK(tok.encode("Once upon a time", true, false) == V{1, 403, 407, 261, 378});
  CHECK(tok.piece(403) == " Once");
  CHECK(tok.piece(378) == " time");
  // By hand from the vocabulary: " The" (291) exists, " cat" and " sat" do not, so they stop at " c" (280) +
  // "at" (294) and " s" (262) + "at"; "." is 426.
  CHECK(tok.encode("The cat sat.", true, false) == V{1, 291, 280, 294, 262, 294, 426});
  // "É" (C3 89) and the emoji (F0 9F 99 82) have no token: byte fallback id = byte + 3. "mile" splits into
  // "m" (423), "il" (290), "e" (411): "il" (score -31) merges before "le" (-46); " " is 410.
  CHECK(tok.encode("\xC3\x89mile \xF0\x9F\x99\x82", true, false) ==
        V{1, 410, 0xC3 + 3, 0x89 + 3, 423, 290, 411, 410, 0xF0 + 3, 0x9F + 3, 0x99 + 3, 0x82 + 3});
  // Dummy prefix: every non-empty text starts with " " (here merged into nothing else).
  CHECK(tok.encode("   ", false, true) == V{410, 410, 410, 410, 2});
}

TEST_CASE("decode strips the space after BOS and turns <0xXX> into bytes", "[unit][llm][tokenizer]") {
  const Tokenizer& tok = test::tok512();
  CHECK(tok.decode(Tokenizer::kBos, 403) == "Once");
  CHECK(tok.decode(378, 403) == " Once");
  CHECK(tok.decode(410, 0x0A + 3) == "\n");
  CHECK(tok.decode(410, 0xC3 + 3) == std::string("\xC3", 1));
  CHECK(tok.decode(V{1, 403, 407, 261, 378}) == "Once upon a time");
  const std::string odd = "Tom said: \"\xC3\xA2\xE2\x82\xAC\xC5\x93Hi!\xC3\xA2\xE2\x82\xAC\"\n\tok";
  CHECK(tok.decode(tok.encode(odd, true, true)) == odd);
}

TEST_CASE("encode/decode round-trips evaluation paragraphs", "[unit][llm][tokenizer]") {
  const std::string text = read_file(test::shared_file("tinystories_val.txt"));
  const auto paragraphs = split_paragraphs(text);
  REQUIRE(paragraphs.size() > 20u);
  std::vector<int> ids;
  for (std::size_t i = 0; i < 20; ++i) {
    test::tok512().encode(paragraphs[i], true, false, ids);
    CHECK(test::tok512().decode(ids) == std::string(paragraphs[i]));
  }
}

TEST_CASE("tokenizer files that are missing, truncated or corrupt are rejected", "[unit][llm][tokenizer]") {
  test::ScratchDir dir("tok");
  test::check_error([&] { Tokenizer(dir / "missing.bin"); }, {"missing.bin", "cannot open"});

  const std::string good = read_file(test::shared_file("tok512.bin"));
  const auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return dir / name;
  };
  test::check_error([&] { Tokenizer(write("cut.bin", good.substr(0, good.size() - 3))); }, {"cut.bin", "truncated"});
  std::string bad_len = good;
  bad_len[4 + 4] = '\x7f';  // token 0's length byte -> 127 > max_token_length
  test::check_error([&] { Tokenizer(write("len.bin", bad_len)); }, {"len.bin", "length"});
  test::check_error([&] { Tokenizer(write("tiny.bin", "ab")); }, {"too short"});
}
