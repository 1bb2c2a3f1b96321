#include "models/llm/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "models/llm/model_files.hpp"
#include "models/llm/regex_splitter.hpp"

namespace saffire::models::llm {

namespace {

// Parses "<0xXX>" (upper- or lowercase hex); returns the byte or -1.
int parse_byte_piece(std::string_view p) {
  if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
  int value = 0;
  for (const char ch : p.substr(3, 2)) {
    int digit;
    if (ch >= '0' && ch <= '9') {
      digit = ch - '0';
    } else if (ch >= 'A' && ch <= 'F') {
      digit = ch - 'A' + 10;
    } else if (ch >= 'a' && ch <= 'f') {
      digit = ch - 'a' + 10;
    } else {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

}  // namespace

Tokenizer::Tokenizer(const std::filesystem::path& path) {
  const std::string data = read_file(path);
  const auto need = [&](std::size_t at, std::size_t n, const char* what, std::size_t token) {
    if (at + n > data.size()) {
      throw ModelFileError(path, std::string("truncated tokenizer: ") + what + " of token " + std::to_string(token) +
                                     " ends at byte " + std::to_string(at + n) + " but the file has " +
                                     std::to_string(data.size()) + " bytes");
    }
  };
  if (data.size() < 4) throw ModelFileError(path, "file is too short for a tokenizer header");
  std::int32_t max_len;
  std::memcpy(&max_len, data.data(), 4);
  if (max_len <= 0 || max_len > (1 << 16)) {
    throw ModelFileError(path, "bad tokenizer header: max_token_length = " + std::to_string(max_len));
  }
  m_max_token_length = max_len;
  std::size_t at = 4;
  m_offsets.push_back(0);
  while (at < data.size()) {
    const std::size_t token = m_scores.size();
    need(at, 8, "score and length", token);
    float score;
    std::int32_t len;
    std::memcpy(&score, data.data() + at, 4);
    std::memcpy(&len, data.data() + at + 4, 4);
    at += 8;
    if (len < 0 || len > max_len) {
      throw ModelFileError(path, "token " + std::to_string(token) + " has length " + std::to_string(len) +
                                     " outside 0..max_token_length (" + std::to_string(max_len) + "): corrupt");
    }
    if (!std::isfinite(score)) throw ModelFileError(path, "token " + std::to_string(token) + " has a non-finite score");
    need(at, static_cast<std::size_t>(len), "piece bytes", token);
    m_blob.insert(m_blob.end(), data.begin() + static_cast<std::ptrdiff_t>(at),
                  data.begin() + static_cast<std::ptrdiff_t>(at + static_cast<std::size_t>(len)));
    at += static_cast<std::size_t>(len);
    m_scores.push_back(score);
    if (m_blob.size() > std::numeric_limits<std::uint32_t>::max()) throw ModelFileError(path, "tokenizer too large");
    m_offsets.push_back(static_cast<std::uint32_t>(m_blob.size()));
  }
  if (m_scores.size() < 3) {
    throw ModelFileError(
        path, "tokenizer has " + std::to_string(m_scores.size()) + " tokens; at least <unk>, <s>, </s> are required");
  }
  index_pieces(kUnk);
}

Tokenizer::Tokenizer(const TokenizerVocabulary& vocabulary)
    : m_kind(vocabulary.kind), m_dummy_prefix(vocabulary.dummy_prefix), m_bos(vocabulary.bos), m_eos(vocabulary.eos) {
  const std::size_t n = vocabulary.pieces.size();
  if (n < 1) throw std::invalid_argument("tokenizer vocabulary is empty");
  if (!vocabulary.scores.empty() && vocabulary.scores.size() != n) {
    throw std::invalid_argument("tokenizer vocabulary: " + std::to_string(vocabulary.scores.size()) + " scores for " +
                                std::to_string(n) + " pieces");
  }
  const auto check_id = [&](int id, const char* what) {
    if (id < -1 || id >= static_cast<int>(n)) {
      throw std::invalid_argument(std::string("tokenizer vocabulary: ") + what + " id " + std::to_string(id) +
                                  " outside the vocabulary (size " + std::to_string(n) + ")");
    }
  };
  check_id(vocabulary.bos, "bos");
  check_id(vocabulary.eos, "eos");
  check_id(vocabulary.unk, "unk");
  m_offsets.push_back(0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& p = vocabulary.pieces[i];
    m_blob.insert(m_blob.end(), p.begin(), p.end());
    if (m_blob.size() > std::numeric_limits<std::uint32_t>::max()) throw std::invalid_argument("tokenizer too large");
    m_offsets.push_back(static_cast<std::uint32_t>(m_blob.size()));
    m_max_token_length = std::max(m_max_token_length, static_cast<int>(p.size()));
    m_scores.push_back(vocabulary.scores.empty() ? 0.0f : vocabulary.scores[i]);
  }
  index_pieces(vocabulary.unk);
  m_merge.reserve(vocabulary.merges.size());
  std::string joined;
  for (std::size_t r = 0; r < vocabulary.merges.size(); ++r) {
    const auto [a, b] = vocabulary.merges[r];
    if (a < 0 || b < 0 || a >= vocab_size() || b >= vocab_size()) {
      throw std::invalid_argument("merge " + std::to_string(r) + " joins ids outside the vocabulary");
    }
    joined.assign(piece(a));
    joined.append(piece(b));
    const int merged = find(joined);
    if (merged < 0) {
      throw std::invalid_argument("merge " + std::to_string(r) + " ('" + std::string(piece(a)) + "' + '" +
                                  std::string(piece(b)) + "') makes no token of the vocabulary");
    }
    const std::uint64_t key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
    m_merge.emplace(key, std::make_pair(static_cast<std::int32_t>(r), static_cast<std::int32_t>(merged)));
  }
  if (!vocabulary.split_pattern.empty()) m_splitter = std::make_shared<const RegexSplitter>(vocabulary.split_pattern);
}

void Tokenizer::index_pieces(int unk) {
  // m_blob no longer changes: the lookup may view into it.
  m_lookup.clear();
  m_lookup.reserve(m_scores.size());
  m_raw_byte.assign(m_scores.size(), -1);
  for (int b = 0; b < 256; ++b) m_byte_token[b] = -1;
  for (int i = 0; i < vocab_size(); ++i) {
    const std::string_view p = piece(i);
    if (p.empty()) continue;  // an unused id (tokenizer.json) or a padding token
    m_lookup.emplace(p, i);   // keeps the first token of a duplicated piece
    if (m_kind == TokenizerVocabulary::Kind::ByteLevel) {
      if (p.size() == 1 && m_byte_token[static_cast<unsigned char>(p[0])] < 0) m_byte_token[static_cast<unsigned char>(p[0])] = i;
      continue;
    }
    const int byte = parse_byte_piece(p);
    if (byte >= 0) {
      m_raw_byte[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(byte);
      if (m_byte_token[byte] < 0) m_byte_token[byte] = i;
    }
  }
  for (int& b : m_byte_token) {
    if (b < 0) b = unk;  // a byte without a token: the unknown token (or dropped when there is none)
  }
}

void Tokenizer::pad_vocabulary(int size) {
  while (vocab_size() < size) {
    m_offsets.push_back(m_offsets.back());
    m_scores.push_back(0.0f);
    m_raw_byte.push_back(-1);
  }
}

std::string_view Tokenizer::piece(int token) const {
  if (token < 0 || token >= vocab_size()) {
    throw std::out_of_range("token id " + std::to_string(token) + " outside the vocabulary (size " +
                            std::to_string(vocab_size()) + ")");
  }
  const auto b = m_offsets[static_cast<std::size_t>(token)], e = m_offsets[static_cast<std::size_t>(token) + 1];
  return {m_blob.data() + b, e - b};
}

int Tokenizer::find(std::string_view text) const {
  const auto it = m_lookup.find(text);
  return it == m_lookup.end() ? -1 : it->second;
}

void Tokenizer::encode(std::string_view text, bool bos, bool eos, std::vector<int>& out, EncodeStats* stats) const {
  out.clear();
  if (bos && m_bos >= 0) out.push_back(m_bos);
  EncodeStats counts;
  if (m_kind == TokenizerVocabulary::Kind::SentencePiece) {
    encode_piece(text, m_dummy_prefix && !text.empty(), out, counts);  // merges never touch BOS
  } else {
    // ByteLevel with add_prefix_space: a space before text that does not start with one.
    std::string prefixed;
    if (m_dummy_prefix && !text.empty() && text.front() != ' ') {
      prefixed.reserve(text.size() + 1);
      prefixed.push_back(' ');
      prefixed.append(text);
      text = prefixed;
    }
    if (m_splitter) {
      m_splitter->split(text, [&](std::string_view chunk) { encode_piece(chunk, false, out, counts); });
    } else {
      encode_piece(text, false, out, counts);
    }
  }
  if (stats != nullptr) *stats = counts;
  if (eos && m_eos >= 0) out.push_back(m_eos);
}

void Tokenizer::encode_piece(std::string_view text, bool dummy_prefix, std::vector<int>& out, EncodeStats& counts) const {
  const std::size_t first = out.size();
  if (dummy_prefix) {
    const int space = find(" ");
    if (space >= 0) out.push_back(space);
  }
  if (m_kind == TokenizerVocabulary::Kind::ByteLevel) {
    for (const char ch : text) {
      const int id = m_byte_token[static_cast<unsigned char>(ch)];
      if (id >= 0) out.push_back(id);
    }
  } else {
    // Code points: a lead byte plus its continuation bytes (10xxxxxx), at most 4 bytes, as llama2.c groups them.
    for (std::size_t i = 0; i < text.size();) {
      std::size_t len = 1;
      while (i + len < text.size() && len < 4 && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;
      const int id = find(text.substr(i, len));
      if (id >= 0) {
        out.push_back(id);
      } else {
        for (std::size_t j = 0; j < len; ++j) {
          const int b = m_byte_token[static_cast<unsigned char>(text[i + j])];
          if (b >= 0) out.push_back(b);
        }
      }
      i += len;
    }
  }

  // BPE merges in O(n log n) over the symbols out[first..]: the symbols form a linked list, and every adjacent pair
  // that merges sits in a max-heap ordered by (score, leftmost first); the score is the merged token's (llama2.c)
  // or minus the pair's rank in the merge list (tokenizer.json). A popped candidate is stale when either symbol
  // has been merged since it was pushed; otherwise it is exactly the pair the quadratic rule (best score,
  // leftmost on ties) would merge next. Each merge pushes at most two candidates, so the heap sees at most
  // n + 2 * merges entries.
  struct Candidate {
    float score;
    std::int32_t left, right;  // symbol indices (relative to first)
    std::int32_t token;        // the merged token
    std::int32_t left_token, right_token;
  };
  const auto worse = [](const Candidate& x, const Candidate& y) {
    return x.score < y.score || (x.score == y.score && x.left > y.left);
  };
  thread_local std::vector<std::int32_t> next, prev;
  thread_local std::vector<Candidate> heap;
  thread_local std::string buffer;
  int* sym = out.data() + first;
  const std::size_t n = out.size() - first;
  if (n < 2) return;
  if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw std::length_error("Tokenizer::encode: text too long (" + std::to_string(text.size()) + " bytes)");
  }
  next.resize(n);
  prev.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    next[i] = static_cast<std::int32_t>(i + 1);  // n: end of list
    prev[i] = static_cast<std::int32_t>(i) - 1;
  }
  heap.clear();
  const bool ranked = !m_merge.empty();
  const auto consider = [&](std::int32_t left, std::int32_t right) {
    const int a = sym[left], b = sym[right];
    float score;
    int id;
    if (ranked) {
      const std::uint64_t key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
      const auto it = m_merge.find(key);
      if (it == m_merge.end()) return;
      score = -static_cast<float>(it->second.first);
      id = it->second.second;
    } else {
      const std::string_view pa = piece(a), pb = piece(b);
      if (pa.size() + pb.size() > static_cast<std::size_t>(m_max_token_length)) return;  // no token is that long
      buffer.assign(pa);
      buffer.append(pb);
      id = find(buffer);
      if (id < 0) return;
      score = m_scores[static_cast<std::size_t>(id)];
    }
    heap.push_back({score, left, right, id, a, b});
    std::push_heap(heap.begin(), heap.end(), worse);
    ++counts.candidates;
  };
  const auto last = static_cast<std::int32_t>(n);
  for (std::size_t i = 0; i + 1 < n; ++i) consider(static_cast<std::int32_t>(i), static_cast<std::int32_t>(i + 1));
  thread_local std::vector<char> alive;
  alive.assign(n, 1);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), worse);
    const Candidate c = heap.back();
    heap.pop_back();
    ++counts.pops;
    const auto l = static_cast<std::size_t>(c.left), r = static_cast<std::size_t>(c.right);
    if (!alive[l] || !alive[r] || next[l] != c.right || sym[l] != c.left_token || sym[r] != c.right_token) continue;
    ++counts.merges;
    sym[l] = c.token;
    alive[r] = 0;
    next[l] = next[r];
    if (next[l] < last) prev[static_cast<std::size_t>(next[l])] = c.left;
    if (next[l] < last) consider(c.left, next[l]);
    if (c.left > 0) consider(prev[l], c.left);
  }
  // Compact the surviving symbols.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (alive[i]) sym[kept++] = sym[i];
  }
  out.resize(first + kept);
}

std::vector<int> Tokenizer::encode(std::string_view text, bool bos, bool eos) const {
  std::vector<int> out;
  encode(text, bos, eos, out);
  return out;
}

std::string_view Tokenizer::decode(int prev_token, int token) const {
  std::string_view p = piece(token);
  if (m_kind == TokenizerVocabulary::Kind::SentencePiece && prev_token == m_bos && m_bos >= 0 && !p.empty() &&
      p.front() == ' ') {
    p.remove_prefix(1);
  }
  const int byte = m_raw_byte[static_cast<std::size_t>(token)];
  if (byte >= 0) {
    static const auto kBytes = [] {
      std::array<char, 256> bytes{};
      for (int b = 0; b < 256; ++b) bytes[static_cast<std::size_t>(b)] = static_cast<char>(b);
      return bytes;
    }();
    return {&kBytes[static_cast<std::size_t>(byte)], 1};
  }
  return p;
}

std::string Tokenizer::decode(std::span<const int> tokens) const {
  std::string text;
  int prev = -1;
  for (const int t : tokens) {
    if (t != m_bos && t != m_eos) text += decode(prev, t);
    prev = t;
  }
  return text;
}

}  // namespace saffire::models::llm
