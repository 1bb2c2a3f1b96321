// Tokenizer: llama2.c encodings on the 32000-token Llama 2 tokenizer and on tok512, decode rules, bad files.
#include <array>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <limits>
#include <random>
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

namespace {

// The quadratic encoder the tokenizer used before the heap (kept as the reference): every step scans all
// adjacent pairs and merges the best-scoring one, leftmost on ties. reference_symbols gives the initial
// symbols (code points or byte fallback), reference_merge applies the merges after index `first`.
std::vector<int> reference_symbols(const Tokenizer& tok, std::string_view text, bool bos, bool dummy_prefix) {
  std::array<int, 256> byte_token{};
  byte_token.fill(Tokenizer::kUnk);
  for (int i = tok.vocab_size() - 1; i >= 0; --i) {  // the first token of each <0xXX> (either case) wins
    const std::string_view p = tok.piece(i);
    if (p.size() == 6 && p.substr(0, 3) == "<0x" && p[5] == '>' && std::isxdigit(static_cast<unsigned char>(p[3])) &&
        std::isxdigit(static_cast<unsigned char>(p[4]))) {
      byte_token[static_cast<std::size_t>(std::stoi(std::string(p.substr(3, 2)), nullptr, 16))] = i;
    }
  }
  std::vector<int> out;
  if (bos) out.push_back(Tokenizer::kBos);
  if (dummy_prefix && !text.empty() && tok.find(" ") >= 0) out.push_back(tok.find(" "));
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 1;
    while (i + len < text.size() && len < 4 && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;
    const int id = tok.find(text.substr(i, len));
    if (id >= 0) {
      out.push_back(id);
    } else {
      for (std::size_t j = 0; j < len; ++j) out.push_back(byte_token[static_cast<unsigned char>(text[i + j])]);
    }
    i += len;
  }
  return out;
}

void reference_merge(const Tokenizer& tok, std::vector<int>& out, std::size_t first) {
  // pair_score[i] / pair_token[i]: the merge of out[i] and out[i+1] (-inf / -1 when none).
  std::vector<float> pair_score;
  std::vector<int> pair_token;
  const auto rescore = [&](std::size_t i) {
    const int id = tok.find(std::string(tok.piece(out[i])) + std::string(tok.piece(out[i + 1])));
    pair_token[i] = id;
    pair_score[i] = id >= 0 ? tok.score(id) : -std::numeric_limits<float>::infinity();
  };
  const std::size_t n = out.size();
  pair_score.assign(n, -std::numeric_limits<float>::infinity());
  pair_token.assign(n, -1);
  for (std::size_t i = first; i + 1 < n; ++i) rescore(i);
  while (true) {
    float best = -std::numeric_limits<float>::infinity();
    std::size_t best_i = 0;
    bool found = false;
    for (std::size_t i = first; i + 1 < out.size(); ++i) {
      if (pair_token[i] >= 0 && (!found || pair_score[i] > best)) {
        best = pair_score[i];
        best_i = i;
        found = true;
      }
    }
    if (!found) break;
    out[best_i] = pair_token[best_i];
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(best_i) + 1);
    pair_score.erase(pair_score.begin() + static_cast<std::ptrdiff_t>(best_i) + 1);
    pair_token.erase(pair_token.begin() + static_cast<std::ptrdiff_t>(best_i) + 1);
    if (best_i + 1 < out.size()) {
      rescore(best_i);
    } else {
      pair_token[best_i] = -1;
    }
    if (best_i > first) rescore(best_i - 1);
  }
}

std::vector<int> reference_encode(const Tokenizer& tok, std::string_view text, bool bos, bool eos) {
  std::vector<int> out = reference_symbols(tok, text, bos, true);
  reference_merge(tok, out, bos ? 1 : 0);
  if (eos) out.push_back(Tokenizer::kEos);
  return out;
}

// The reference on a long text, chunk by chunk: the symbols are split after every symbol that merges with no
// neighbour (checked against the whole vocabulary), so merging each chunk on its own gives the same tokens.
std::vector<int> chunked_reference(const Tokenizer& tok, std::string_view text, const std::vector<char>& isolated) {
  const std::vector<int> symbols = reference_symbols(tok, text, true, true);
  std::vector<int> out = {Tokenizer::kBos}, chunk;
  const auto flush = [&] {
    reference_merge(tok, chunk, 0);
    out.insert(out.end(), chunk.begin(), chunk.end());
    chunk.clear();
  };
  for (std::size_t i = 1; i < symbols.size(); ++i) {
    if (isolated[static_cast<std::size_t>(symbols[i])]) {
      flush();
      out.push_back(symbols[i]);
    } else {
      chunk.push_back(symbols[i]);
    }
  }
  flush();
  return out;
}

// Tokens that form no merge with any token on either side.
std::vector<char> isolated_tokens(const Tokenizer& tok, std::initializer_list<int> candidates) {
  std::vector<char> isolated(static_cast<std::size_t>(tok.vocab_size()), 0);
  for (const int c : candidates) {
    bool alone = true;
    for (int t = 0; t < tok.vocab_size() && alone; ++t) {
      const std::string a(tok.piece(c)), b(tok.piece(t));
      alone = tok.find(a + b) < 0 && tok.find(b + a) < 0;
    }
    isolated[static_cast<std::size_t>(c)] = alone ? 1 : 0;
  }
  return isolated;
}

std::string random_text(std::mt19937& rng, const Tokenizer& tok, std::size_t n) {
  std::string s;
  std::uniform_int_distribution<int> kind(0, 9), byte(0, 255), token(3, tok.vocab_size() - 1), ascii(32, 126);
  while (s.size() < n) {
    switch (kind(rng)) {
      case 0:  // any byte: invalid UTF-8 included
        s.push_back(static_cast<char>(byte(rng)));
        break;
      case 1:
        s += "\xC3\xA9";  // é
        break;
      case 2:
        s += "\xF0\x9F\x99\x82";  // an emoji
        break;
      case 3:
        s.push_back(static_cast<char>(ascii(rng)));
        break;
      default:  // pieces of the vocabulary make long merge chains
        s += tok.piece(token(rng));
    }
  }
  return s;
}

}  // namespace

TEST_CASE("the heap encoder gives exactly the quadratic reference's tokens", "[unit][llm][tokenizer]") {
  const Tokenizer llama(test::shared_file("tokenizer.bin"));
  const std::string stories = read_file(test::shared_file("tinystories_val.txt"));
  const std::string wiki = read_file(test::shared_file("wiki.test.raw"));
  const auto paragraphs = split_paragraphs(stories, 150);
  for (const Tokenizer* tok : {&test::tok512(), &llama}) {
    INFO("vocabulary " << tok->vocab_size());
    for (const auto p : paragraphs) CHECK(tok->encode(p, true, false) == reference_encode(*tok, p, true, false));
    // WikiText-2 in pieces of 2 KB, cut anywhere (mid-word and mid code point included).
    for (std::size_t at = 0; at < 100 * 2048 && at < wiki.size(); at += 2048) {
      const std::string_view w = std::string_view(wiki).substr(at, 2048);
      CHECK(tok->encode(w, false, true) == reference_encode(*tok, w, false, true));
    }
    std::mt19937 rng(42);
    for (int i = 0; i < 200; ++i) {
      const std::string s = random_text(rng, *tok, static_cast<std::size_t>(i % 50) * 20);
      CHECK(tok->encode(s, i % 2 == 0, i % 3 == 0) == reference_encode(*tok, s, i % 2 == 0, i % 3 == 0));
    }
    // Ties: a run of one repeated character merges leftmost first.
    for (const char* s : {"aaaaaaaaaaaaaaaaaaaaa", "                 ", "eeeeeeeeeeeeeee", "abababababababab"}) {
      CHECK(tok->encode(s, true, false) == reference_encode(*tok, s, true, false));
    }
  }
}

TEST_CASE("encoding is n log n, 1 MB in one piece equals the chunked reference with linear work",
          "[unit][llm][tokenizer]") {
  const Tokenizer& tok = test::tok512();
  const std::string stories = read_file(test::shared_file("tinystories_val.txt"));
  std::string text;
  while (text.size() < (1u << 20)) text += stories;
  text.resize(1u << 20);
  const int newline = tok.find("\n") >= 0 ? tok.find("\n") : 0x0A + 3;  // <0x0A>
  const std::vector<char> isolated = isolated_tokens(tok, {newline});
  REQUIRE(isolated[static_cast<std::size_t>(newline)]);  // "\n" merges with nothing: chunks are independent

  std::vector<int> ids;
  EncodeStats stats;
  tok.encode(text, true, false, ids, &stats);
  CHECK(ids == chunked_reference(tok, text, isolated));
  // Work: every merge pushes at most two candidates on top of the initial pairs (at most one per byte), and
  // each candidate is popped once. The quadratic encoder did ~n^2 / 2 pair scans here (~10^11).
  const auto n = static_cast<std::int64_t>(text.size()) + 1;
  CHECK(stats.merges <= n);
  CHECK(stats.candidates <= n + 2 * stats.merges);
  CHECK(stats.pops == stats.candidates);
  const auto symbols = static_cast<std::int64_t>(reference_symbols(tok, text, true, true).size());  // BOS included
  CHECK(stats.merges == symbols - static_cast<std::int64_t>(ids.size()));
}
