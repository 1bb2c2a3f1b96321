#pragma once
// Tokenizer: llama2.c's tokenizer.bin (SentencePiece BPE vocabulary with scores) and its encode/decode rules.
//
// File: int32 max_token_length; then per token: float32 score, int32 byte length, the bytes. The vocabulary
// size is the number of records in the file (check it against the model with vocab_size()).
// Encode: optional BOS; for non-empty text the token of " " (dummy prefix); each UTF-8 code point maps to its
// token, or to byte-fallback tokens <0xXX> (id byte + 3 in the Llama vocabularies) when it has none; then the
// adjacent pair whose concatenation is a token with the highest score is merged (leftmost on ties) until no
// merge applies (in O(n log n), with a heap of candidate pairs over a linked list of symbols); optional EOS.
// Decode: after BOS a leading space is stripped; <0xXX> pieces give the raw byte.
//
// The same class holds tokenizer.json's BPE models (tokenizer_json.hpp builds them through TokenizerVocabulary):
// SentencePiece-style (as above, with merges ranked by the file's merge list instead of scores) and byte-level
// (GPT-2: the text split by a pre-tokenizer regex, each piece's bytes the initial symbols, merges by rank).
// Pieces are always raw bytes: "\u2581" is stored as " ", GPT-2's byte characters as the bytes they stand for.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace saffire::models::llm {

/// Work counters of one encode (for complexity tests): merge candidates pushed, heap pops, merges applied.
struct EncodeStats {
  std::int64_t candidates = 0;
  std::int64_t pops = 0;
  std::int64_t merges = 0;
};

class RegexSplitter;

/// A tokenizer's vocabulary and rules, as a tokenizer file states them.
struct TokenizerVocabulary {
  enum class Kind : std::uint8_t { SentencePiece, ByteLevel };
  Kind kind = Kind::SentencePiece;
  std::vector<std::string> pieces;              // raw bytes of each token id ("" for an unused id)
  std::vector<float> scores;                    // merge scores (llama2.c); empty when `merges` rank the pairs
  std::vector<std::pair<int, int>> merges;      // (left, right) token ids, best first
  bool dummy_prefix = true;                     // SentencePiece: a " " before non-empty text
  int unk = 0, bos = 1, eos = 2;                // -1: the tokenizer has none
  std::string split_pattern;                    // ByteLevel: PCRE2 pattern whose matches are encoded separately
};

class Tokenizer {
 public:
  static constexpr int kUnk = 0;
  static constexpr int kBos = 1;  // llama2.c's ids; a loaded tokenizer's are bos() and eos()
  static constexpr int kEos = 2;

  /// Loads tokenizer.bin; throws ModelFileError naming the file when it is missing, truncated or corrupt.
  explicit Tokenizer(const std::filesystem::path& path);
  /// Builds a tokenizer from a vocabulary (tokenizer.json); throws std::invalid_argument on inconsistent input
  /// (a merge of ids outside the vocabulary, a merge whose concatenation is no token, a bad split pattern).
  explicit Tokenizer(const TokenizerVocabulary& vocabulary);
  // Movable (the piece lookup views into m_blob, whose buffer a move keeps); not copyable.
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;
  Tokenizer(Tokenizer&&) noexcept = default;
  Tokenizer& operator=(Tokenizer&&) noexcept = default;

  int vocab_size() const { return static_cast<int>(m_scores.size()); }
  int bos() const { return m_bos; }  // -1 when none
  int eos() const { return m_eos; }
  TokenizerVocabulary::Kind kind() const { return m_kind; }
  /// Adds empty tokens up to `size` (a model whose embedding rows are padded beyond the tokenizer's ids).
  void pad_vocabulary(int size);
  int max_token_length() const { return m_max_token_length; }
  /// The raw piece of a token (e.g. " time", "<0x0A>"); throws std::out_of_range on a bad id.
  std::string_view piece(int token) const;
  float score(int token) const { return m_scores.at(static_cast<std::size_t>(token)); }  // -rank for merges
  /// Token whose piece is exactly `text`, or -1.
  int find(std::string_view text) const;

  /// Encodes text into token ids (appended to `out` after clearing it). Reuses `out`'s storage. O(n log n) in
  /// the text length (a heap of merge candidates over a linked list of symbols); `stats` gets the work done.
  void encode(std::string_view text, bool bos, bool eos, std::vector<int>& out, EncodeStats* stats = nullptr) const;
  std::vector<int> encode(std::string_view text, bool bos, bool eos) const;

  /// The text of `token` when it follows `prev_token` (llama2.c decode): strips the leading space after BOS
  /// and turns <0xXX> into the raw byte.
  std::string_view decode(int prev_token, int token) const;
  /// Text of a whole sequence; BOS and EOS tokens produce no text.
  std::string decode(std::span<const int> tokens) const;

 private:
  // Appends the initial symbols of `text` and merges them (symbols before out.size() on entry stay as they are).
  void encode_piece(std::string_view text, bool dummy_prefix, std::vector<int>& out, EncodeStats& stats) const;
  // m_lookup, m_raw_byte, m_byte_token from the pieces; a byte without a token maps to `unk` (-1: dropped).
  void index_pieces(int unk);

  std::vector<char> m_blob;              // all pieces back to back
  std::vector<std::uint32_t> m_offsets;  // (vocab_size + 1): piece i is m_blob[m_offsets[i], m_offsets[i+1])
  std::vector<float> m_scores;           // (vocab_size) merge scores
  std::unordered_map<std::string_view, int> m_lookup;  // piece -> first token with it (views into m_blob)
  std::vector<std::int16_t> m_raw_byte;                // (vocab_size) byte value for <0xXX> pieces, else -1
  int m_byte_token[256];  // token of each byte: <0xXX> (SentencePiece), the one-byte piece (ByteLevel), else unk
  int m_max_token_length = 0;
  TokenizerVocabulary::Kind m_kind = TokenizerVocabulary::Kind::SentencePiece;
  bool m_dummy_prefix = true;
  int m_bos = kBos, m_eos = kEos;
  std::unordered_map<std::uint64_t, std::pair<std::int32_t, std::int32_t>> m_merge;  // (left, right) -> (rank, token)
  std::shared_ptr<const RegexSplitter> m_splitter;                                  // ByteLevel pre-tokenizer
};

}  // namespace saffire::models::llm
