#include "models/llm/regex_splitter.hpp"

#include <memory>
#include <stdexcept>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace saffire::models::llm {

namespace {
pcre2_code* code_of(void* p) { return static_cast<pcre2_code*>(p); }
}  // namespace

RegexSplitter::RegexSplitter(const std::string& pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw std::invalid_argument("pre-tokenizer pattern does not compile at offset " + std::to_string(offset) + ": " +
                                reinterpret_cast<const char*>(message));
  }
  m_code = code;
  m_jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
}

RegexSplitter::~RegexSplitter() { pcre2_code_free(code_of(m_code)); }

void RegexSplitter::split(std::string_view text, const std::function<void(std::string_view)>& on_piece) const {
  const std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
      pcre2_match_data_create_from_pattern(code_of(m_code), nullptr), &pcre2_match_data_free);
  if (!match) throw std::bad_alloc();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t at = 0, emitted = 0;
  while (at < text.size()) {
    const int rc = m_jit ? pcre2_jit_match(code_of(m_code), subject, text.size(), at, 0, match.get(), nullptr)
                         : pcre2_match(code_of(m_code), subject, text.size(), at, 0, match.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(rc, message, sizeof message);
      throw std::runtime_error(std::string("pre-tokenizer match failed: ") + reinterpret_cast<const char*>(message));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match.get());
    const std::size_t begin = ov[0], end = ov[1];
    if (begin > emitted) on_piece(text.substr(emitted, begin - emitted));
    if (end > begin) {
      on_piece(text.substr(begin, end - begin));
      emitted = end;
      at = end;
    } else {
      emitted = begin;
      at = begin + 1;  // an empty match: move on (the byte joins the next stretch)
      while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    }
  }
  if (emitted < text.size()) on_piece(text.substr(emitted));
}

}  // namespace saffire::models::llm
