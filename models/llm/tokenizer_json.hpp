#pragma once
// tokenizer.json (Hugging Face `tokenizers`): the BPE models of LLaMA-2, Mistral, TinyLlama (SentencePiece style:
// "\u2581" for spaces, a prepended "\u2581", <0xXX> byte fallback, pre_tokenizer null) and of GPT-2, OPT, LLaMA-3,
// Qwen2 (byte-level: every byte a character of GPT-2's byte alphabet, the text split by GPT-2's regex or the
// Split pattern the file gives). Read into a Tokenizer whose pieces are raw bytes, with the file's merges ranked
// in order. Added tokens keep their ids; special tokens in the text are encoded as text.
#include <filesystem>

#include "models/llm/tokenizer.hpp"

namespace saffire::models::llm {

/// Loads `path`. BOS/EOS: `bos`/`eos` when >= 0 (config.json's ids), else the added token named <s>,
/// <|begin_of_text|> or <|endoftext|> (BOS), </s>, <|end_of_text|> or <|endoftext|> (EOS), else none. Throws
/// ModelFileError naming the file and key: not JSON, a model type other than BPE, a tokenizer that is neither
/// SentencePiece-style nor byte-level (the types found are named), bad ids, merges of unknown pieces.
Tokenizer load_tokenizer_json(const std::filesystem::path& path, int bos = -1, int eos = -1);

/// GPT-2's byte alphabet: the UTF-8 text of the character byte `b` stands for in a byte-level vocabulary.
std::string byte_level_char(unsigned char b);
/// The raw bytes a byte-level vocabulary piece stands for; a piece with characters outside the alphabet (an added
/// token such as "<|endoftext|>") is kept as it is.
std::string byte_level_piece_bytes(const std::string& piece);

}  // namespace saffire::models::llm
