// tokenizer.json: SentencePiece-style BPE (tok512 as tokenizer.json, against tok512.bin) and byte-level BPE
// (a hand-made GPT-2-style vocabulary whose encodings are derived by hand from its merges); the pre-tokenizer
// regexes; hostile text and hostile files.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "hf_fixture.hpp"
#include "llm_test_support.hpp"
#include "models/llm/regex_splitter.hpp"
#include "models/llm/tokenizer_json.hpp"

using namespace saffire::models::llm;
using test::ScratchDir;

namespace {

const std::vector<std::string> kHostileTexts = {
    "",
    "Once upon a time, there was a little girl.",
    "emoji \xF0\x9F\x98\x80\xF0\x9F\x91\x8B done",
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E CJK",
    "invalid \xFF\xFE utf-8 \xC3 and a lone continuation \x80!",
    std::string(300, ' ') + "spaces" + std::string(77, ' '),
    "tabs\t\tand\nnewlines\n\n",
};

std::vector<std::string> split(const RegexSplitter& s, std::string_view text) {
  std::vector<std::string> out;
  s.split(text, [&](std::string_view p) { out.emplace_back(p); });
  return out;
}

// A byte-level tokenizer.json: ids 0..255 are the bytes (GPT-2's byte characters), then the merged pieces.
nlohmann::json byte_level_json(const std::vector<std::pair<std::string, std::string>>& merges) {
  nlohmann::json vocab = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) vocab[byte_level_char(static_cast<unsigned char>(b))] = b;
  int next = 256;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [l, r] : merges) {
    if (!vocab.contains(l + r)) vocab[l + r] = next++;
    list.push_back({l, r});  // the newer [left, right] form
  }
  return {{"added_tokens", {{{"id", next}, {"content", "<|endoftext|>"}, {"special", true}}}},
          {"normalizer", nullptr},
          {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
          {"decoder", {{"type", "ByteLevel"}}},
          {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", list}}}};
}

}  // namespace

TEST_CASE("GPT-2's byte alphabet", "[unit][llm][tokenizer_json]") {
  // Hand-checked against GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others for
  // U+0100 + their rank among the non-printable bytes.
  CHECK(byte_level_char('a') == "a");
  CHECK(byte_level_char(' ') == "\xC4\xA0");   // U+0120 "Ġ" (32 is the 33rd non-printable byte)
  CHECK(byte_level_char('\n') == "\xC4\x8A");  // U+010A "Ċ"
  CHECK(byte_level_char(0) == "\xC4\x80");     // U+0100
  CHECK(byte_level_char(0x7F) == "\xC4\xA1");  // U+0121
  CHECK(byte_level_char(0xAD) == "\xC5\x83");  // U+0143, the last one
  CHECK(byte_level_char(0xE9) == "\xC3\xA9");  // U+00E9 stands for itself
}

TEST_CASE("pre-tokenizer regexes split as GPT-2's and LLaMA-3's patterns do", "[unit][llm][tokenizer_json]") {
  const RegexSplitter gpt2{std::string(kGpt2SplitPattern)};
  using V = std::vector<std::string>;
  CHECK(split(gpt2, "Hello world") == V{"Hello", " world"});
  CHECK(split(gpt2, "I'm 12 cats!!") == V{"I", "'m", " 12", " cats", "!!"});
  CHECK(split(gpt2, "a  b") == V{"a", " ", " b"});  // \s+(?!\S) leaves the last space to the word
  CHECK(split(gpt2, "x   ") == V{"x", "   "});
  CHECK(split(gpt2, "\xE6\x97\xA5\xE6\x9C\xAC 42") == V{"\xE6\x97\xA5\xE6\x9C\xAC", " 42"});
  CHECK(split(gpt2, "a\xFF" "b") == V{"a", "\xFF", "b"});  // invalid UTF-8 matches nothing: a piece of its own
  CHECK(split(gpt2, "").empty());
  const RegexSplitter llama3(
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)");
  CHECK(split(llama3, "I'M 12345") == V{"I", "'M", " ", "123", "45"});
  CHECK(split(llama3, "(hi)\n\nyo") == V{"(hi", ")\n\n", "yo"});
  CHECK_THROWS_AS(RegexSplitter("(unclosed"), std::invalid_argument);
}

TEST_CASE("byte-level BPE encodes by merge rank, ids derived by hand", "[unit][llm][tokenizer_json]") {
  ScratchDir dir("tokjson_bytes");
  const std::string G = byte_level_char(' ');  // "Ġ"
  // Ranks: 0 "Ġ t" -> 256, 1 "h e" -> 257, 2 "Ġt he" -> 258 "Ġthe", 3 "t he" -> 259 "the".
  test::write_json(dir / "tokenizer.json", byte_level_json({{G, "t"}, {"h", "e"}, {G + "t", "he"}, {"t", "he"}}));
  const Tokenizer tok = load_tokenizer_json(dir / "tokenizer.json");
  CHECK(tok.vocab_size() == 261);
  CHECK(tok.bos() == 260);  // <|endoftext|>
  CHECK(tok.eos() == 260);
  CHECK(tok.piece(258) == " the");
  using V = std::vector<int>;
  // "the": t h e -> (h,e) rank 1 -> t|he -> (t,he) rank 3 -> 259. " the": rank 0 first: Ġt h e, then he, then Ġthe.
  CHECK(tok.encode("the the", false, false) == V{259, 258});
  CHECK(tok.encode("the the", true, true) == V{260, 259, 258, 260});
  CHECK(tok.encode("  the", false, false) == V{' ', 258});           // "Ġ" then "Ġthe"
  CHECK(tok.encode("he", false, false) == V{257});
  CHECK(tok.encode("teh", false, false) == V{'t', 'e', 'h'});        // no merge applies
  CHECK(tok.encode("\xE6\x97\xA5", false, false) == V{0xE6, 0x97, 0xA5});
  for (const auto& text : kHostileTexts) {
    INFO("text: " << text);
    CHECK(tok.decode(tok.encode(text, true, true)) == text);
  }
  // Long runs of spaces: 1000 spaces then "x" is 999 spaces and " x".
  const std::vector<int> spaces = tok.encode(std::string(1000, ' ') + "x", false, false);
  CHECK(spaces.size() == 1001u);
  CHECK(spaces.back() == 'x');
}

TEST_CASE("tok512 as a tokenizer.json encodes as tok512.bin", "[unit][llm][tokenizer_json]") {
  if (!test::have_file(test::shared_file("tok512.bin"))) return;
  ScratchDir dir("tokjson_spm");
  test::write_json(dir / "tokenizer.json", test::spm_tokenizer_json(test::tok512()));
  const Tokenizer tok = load_tokenizer_json(dir / "tokenizer.json");
  CHECK(tok.kind() == TokenizerVocabulary::Kind::SentencePiece);
  CHECK(tok.vocab_size() == 512);
  CHECK(tok.bos() == 1);
  CHECK(tok.eos() == 2);
  for (const auto& text : kHostileTexts) {
    INFO("text: " << text);
    CHECK(tok.encode(text, true, false) == test::tok512().encode(text, true, false));
    CHECK(tok.decode(tok.encode(text, true, false)) == text);
  }
}

TEST_CASE("bad tokenizer.json files are named with the key", "[unit][llm][tokenizer_json][hostile]") {
  ScratchDir dir("tokjson_bad");
  const auto f = dir / "tokenizer.json";
  const auto load = [&] { load_tokenizer_json(f); };
  auto j = byte_level_json({{"h", "e"}});
  j["model"]["type"] = "Unigram";
  test::write_json(f, j);
  test::check_error(load, {"tokenizer.json", "model.type", "Unigram", "BPE"});
  j = byte_level_json({{"h", "e"}});
  j["pre_tokenizer"] = {{"type", "Whitespace"}};
  j["decoder"] = nullptr;
  test::write_json(f, j);
  test::check_error(load, {"unknown BPE tokenizer", "Whitespace"});
  j = byte_level_json({{"h", "e"}});
  j["model"]["merges"].push_back({"q", "zz"});
  test::write_json(f, j);
  test::check_error(load, {"model.merges[1]", "'zz' is not in the vocabulary"});
  j = byte_level_json({});
  j["model"]["vocab"]["x"] = -5;
  test::write_json(f, j);
  test::check_error(load, {"model.vocab.x", "-5"});
  j = byte_level_json({});
  j["model"]["byte_fallback"] = "yes";
  j["pre_tokenizer"] = nullptr;
  test::write_json(f, j);
  test::check_error(load, {"tokenizer.json", "unexpected JSON value"});
  std::ofstream(f, std::ios::trunc) << "[1, 2";
  test::check_error(load, {"tokenizer.json", "not valid JSON"});
}
