#include "models/llm/tokenizer_json.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>

#include "models/llm/model_files.hpp"
#include "models/llm/regex_splitter.hpp"

namespace saffire::models::llm {

namespace {

using nlohmann::json;

constexpr int kMaxTokenId = (1 << 21) - 1;
constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581 "▁"

// GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others for 256, 257, ... in order.
std::array<int, 256> byte_code_points() {
  std::array<int, 256> cp{};
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    cp[static_cast<std::size_t>(b)] = printable ? b : next++;
  }
  return cp;
}

std::string utf8(int cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// A byte-level piece back to the bytes it stands for; a piece with other characters (an added token such as
// "<|endoftext|>" is plain ASCII and maps to itself) is kept as it is.
std::string byte_level_bytes(const std::string& piece, const std::unordered_map<int, unsigned char>& byte_of) {
  std::string out;
  for (std::size_t i = 0; i < piece.size();) {
    const auto c = static_cast<unsigned char>(piece[i]);
    int cp = 0;
    std::size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < piece.size()) {
      cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(piece[i + 1]) & 0x3F), len = 2;
    } else {
      return piece;  // not a byte-alphabet character
    }
    const auto it = byte_of.find(cp);
    if (it == byte_of.end()) return piece;
    out += static_cast<char>(it->second);
    i += len;
  }
  return out;
}

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t at = 0; at < s.size();) {
    if (s.substr(at, from.size()) == from) {
      out.append(to);
      at += from.size();
    } else {
      out.push_back(s[at++]);
    }
  }
  return out;
}

// Every "type" inside a normalizer / pre_tokenizer / decoder tree (Sequence members included).
void collect_types(const json& j, std::vector<const json*>& out) {
  if (j.is_object()) {
    if (j.contains("type") && j["type"].is_string()) out.push_back(&j);
    for (const auto& key : {"normalizers", "pretokenizers", "decoders", "processors"}) {
      if (j.contains(key) && j[key].is_array()) {
        for (const auto& m : j[key]) collect_types(m, out);
      }
    }
  }
}

std::string type_names(const std::vector<const json*>& parts) {
  std::string out;
  for (const json* p : parts) out += (out.empty() ? "" : ", ") + (*p)["type"].get<std::string>();
  return out.empty() ? "none" : out;
}

}  // namespace

std::string byte_level_char(unsigned char b) { return utf8(byte_code_points()[b]); }

std::string byte_level_piece_bytes(const std::string& piece) {
  static const std::unordered_map<int, unsigned char> byte_of = [] {
    std::unordered_map<int, unsigned char> m;
    const auto cps = byte_code_points();
    for (int b = 0; b < 256; ++b) m.emplace(cps[static_cast<std::size_t>(b)], static_cast<unsigned char>(b));
    return m;
  }();
  return byte_level_bytes(piece, byte_of);
}

namespace {

Tokenizer read_tokenizer_json(const std::filesystem::path& path, int bos, int eos) {
  const std::string text = read_file(path);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw ModelFileError(path, std::string("not valid JSON: ") + e.what());
  }
  const auto fail = [&](const std::string& key, const std::string& what) -> void {
    throw ModelFileError(path, "key '" + key + "': " + what);
  };
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) fail("model", "missing (expected an object)");
  const json& model = j["model"];
  const std::string type = model.contains("type") && model["type"].is_string() ? model["type"].get<std::string>() : "";
  if (type != "BPE") fail("model.type", "'" + type + "' is not supported (supported: BPE)");
  if (!model.contains("vocab") || !model["vocab"].is_object()) fail("model.vocab", "missing (expected an object)");

  // Which BPE: byte-level when a ByteLevel pre-tokenizer or decoder is there, SentencePiece-style when spaces
  // are "\u2581" (Replace/Prepend normalizers, Metaspace).
  std::vector<const json*> normalizers, pre, decoders;
  if (j.contains("normalizer")) collect_types(j["normalizer"], normalizers);
  if (j.contains("pre_tokenizer")) collect_types(j["pre_tokenizer"], pre);
  if (j.contains("decoder")) collect_types(j["decoder"], decoders);
  const auto find_type = [](const std::vector<const json*>& parts, const char* name) -> const json* {
    for (const json* p : parts) {
      if ((*p)["type"] == name) return p;
    }
    return nullptr;
  };
  TokenizerVocabulary v;
  const json* byte_level = find_type(pre, "ByteLevel");
  if (byte_level == nullptr) byte_level = find_type(decoders, "ByteLevel");
  const json* metaspace = find_type(pre, "Metaspace");
  const bool spm = metaspace != nullptr || find_type(decoders, "Metaspace") != nullptr ||
                   find_type(normalizers, "Prepend") != nullptr || find_type(normalizers, "Replace") != nullptr ||
                   model.value("byte_fallback", false);
  if (byte_level != nullptr) {
    v.kind = TokenizerVocabulary::Kind::ByteLevel;
  } else if (spm) {
    v.kind = TokenizerVocabulary::Kind::SentencePiece;
  } else {
    throw ModelFileError(path, "unknown BPE tokenizer: neither byte-level (a ByteLevel pre_tokenizer) nor "
                               "SentencePiece-style (Metaspace, or Prepend/Replace of \"\\u2581\"); found normalizer " +
                                   type_names(normalizers) + ", pre_tokenizer " + type_names(pre) + ", decoder " +
                                   type_names(decoders));
  }

  // Pieces, as raw bytes.
  const auto cps = byte_code_points();
  std::unordered_map<int, unsigned char> byte_of;
  for (int b = 0; b < 256; ++b) byte_of.emplace(cps[static_cast<std::size_t>(b)], static_cast<unsigned char>(b));
  const auto to_raw = [&](const std::string& piece) {
    return v.kind == TokenizerVocabulary::Kind::ByteLevel ? byte_level_bytes(piece, byte_of)
                                                          : replace_all(piece, kSpmSpace, " ");
  };
  const auto place = [&](const std::string& key, const json& id_json, const std::string& content, bool overwrite) {
    if (!id_json.is_number_integer() || id_json.get<std::int64_t>() < 0 || id_json.get<std::int64_t>() > kMaxTokenId) {
      fail(key, "id " + id_json.dump() + " is not an integer in 0.." + std::to_string(kMaxTokenId));
    }
    const auto id = static_cast<std::size_t>(id_json.get<std::int64_t>());
    if (id >= v.pieces.size()) v.pieces.resize(id + 1);
    if (overwrite || v.pieces[id].empty()) v.pieces[id] = content;
  };
  for (const auto& [piece, id] : model["vocab"].items()) place("model.vocab." + piece, id, to_raw(piece), true);
  std::unordered_map<std::string, int> added;
  if (j.contains("added_tokens") && j["added_tokens"].is_array()) {
    for (const auto& t : j["added_tokens"]) {
      if (!t.is_object() || !t.contains("content") || !t["content"].is_string() || !t.contains("id")) {
        fail("added_tokens", "expected objects with 'id' and 'content'");
      }
      const std::string content = t["content"].get<std::string>();
      place("added_tokens." + content, t["id"], content, false);
      added.emplace(content, t["id"].get<int>());
    }
  }
  std::unordered_map<std::string, int> id_of;  // vocabulary key -> id (merges name keys, not raw pieces)
  for (const auto& [piece, id] : model["vocab"].items()) id_of.emplace(piece, id.get<int>());

  // Merges: "left right" strings (older files) or [left, right] pairs.
  if (model.contains("merges") && model["merges"].is_array()) {
    const json& merges = model["merges"];
    v.merges.reserve(merges.size());
    for (std::size_t r = 0; r < merges.size(); ++r) {
      const json& m = merges[r];
      std::string left, right;
      if (m.is_string()) {
        const std::string s = m.get<std::string>();
        const auto sp = s.find(' ');
        if (sp == std::string::npos) fail("model.merges[" + std::to_string(r) + "]", "'" + s + "' is not 'left right'");
        left = s.substr(0, sp), right = s.substr(sp + 1);
      } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        left = m[0].get<std::string>(), right = m[1].get<std::string>();
      } else {
        fail("model.merges[" + std::to_string(r) + "]", "expected \"left right\" or [left, right]");
      }
      const auto a = id_of.find(left), b = id_of.find(right);
      if (a == id_of.end() || b == id_of.end()) {
        fail("model.merges[" + std::to_string(r) + "]", "'" + (a == id_of.end() ? left : right) + "' is not in the vocabulary");
      }
      v.merges.emplace_back(a->second, b->second);
    }
  }

  const auto named = [&](std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (const auto it = added.find(n); it != added.end()) return it->second;
      if (const auto it = id_of.find(n); it != id_of.end()) return it->second;
    }
    return -1;
  };
  v.bos = bos >= 0 ? bos : named({"<s>", "<|begin_of_text|>", "<|endoftext|>"});
  v.eos = eos >= 0 ? eos : named({"</s>", "<|end_of_text|>", "<|endoftext|>"});
  v.unk = -1;
  if (model.contains("unk_token") && model["unk_token"].is_string()) {
    const auto it = id_of.find(model["unk_token"].get<std::string>());
    if (it != id_of.end()) v.unk = it->second;
  }
  if (v.kind == TokenizerVocabulary::Kind::ByteLevel) {
    v.dummy_prefix = byte_level->value("add_prefix_space", false);
    // A Split pre-tokenizer gives the pattern (LLaMA-3, Qwen2); else ByteLevel's own GPT-2 regex.
    const json* split = find_type(pre, "Split");
    if (split != nullptr) {
      const json& pattern = split->contains("pattern") ? (*split)["pattern"] : json();
      if (!pattern.is_object() || !pattern.contains("Regex") || !pattern["Regex"].is_string()) {
        fail("pre_tokenizer.pattern", "expected {\"Regex\": \"...\"}");
      }
      v.split_pattern = pattern["Regex"].get<std::string>();
    } else if (byte_level->value("use_regex", true)) {
      v.split_pattern = std::string(kGpt2SplitPattern);
    }
  } else {
    // The dummy prefix: a Prepend normalizer, or Metaspace's prepend_scheme / add_prefix_space.
    v.dummy_prefix = find_type(normalizers, "Prepend") != nullptr;
    if (metaspace != nullptr) {
      v.dummy_prefix = metaspace->value("prepend_scheme", std::string("always")) != "never" &&
                       metaspace->value("add_prefix_space", true);
    }
  }
  if (v.pieces.empty()) fail("model.vocab", "is empty");
  if (v.bos >= static_cast<int>(v.pieces.size()) || v.eos >= static_cast<int>(v.pieces.size())) {
    v.pieces.resize(static_cast<std::size_t>(std::max(v.bos, v.eos) + 1));
  }
  try {
    return Tokenizer(v);
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(path, e.what());
  }
}

}  // namespace

Tokenizer load_tokenizer_json(const std::filesystem::path& path, int bos, int eos) {
  try {
    return read_tokenizer_json(path, bos, eos);
  } catch (const nlohmann::json::exception& e) {  // a value of the wrong JSON type somewhere
    throw ModelFileError(path, std::string("unexpected JSON value: ") + e.what());
  }
}

}  // namespace saffire::models::llm
