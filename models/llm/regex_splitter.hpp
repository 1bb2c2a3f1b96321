#pragma once
// RegexSplitter: a tokenizer's pre-tokenizer pattern (GPT-2's, LLaMA-3's, Qwen2's from tokenizer.json), run with
// PCRE2 in UTF mode with Unicode properties (\p{L}, \p{N}, Unicode \s). The text is cut into the matches and the
// stretches between them ("Isolated" splitting, as Hugging Face's Split and ByteLevel pre-tokenizers do); invalid
// UTF-8 never matches, so it lands in the stretches between matches, byte for byte.
#include <functional>
#include <string>
#include <string_view>

namespace saffire::models::llm {

/// GPT-2's pattern (Hugging Face's ByteLevel pre-tokenizer with use_regex).
inline constexpr std::string_view kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class RegexSplitter {
 public:
  /// Compiles `pattern`; throws std::invalid_argument with PCRE2's message and the offset of the error.
  explicit RegexSplitter(const std::string& pattern);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  /// Calls on_piece for each match and each non-empty stretch between matches, in text order; together they are
  /// exactly `text`. Linear in the text for the tokenizer patterns (no backtracking across pieces).
  void split(std::string_view text, const std::function<void(std::string_view)>& on_piece) const;

 private:
  void* m_code = nullptr;  // pcre2_code_8 (kept out of the header)
  bool m_jit = false;
};

}  // namespace saffire::models::llm
