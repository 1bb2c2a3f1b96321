#pragma once
// A llama-architecture GGUF file (llama.cpp's format) into a Checkpoint and, when the file holds one, its
// tokenizer.
//
// Metadata: general.architecture = "llama"; llama.embedding_length, feed_forward_length, block_count,
// attention.head_count, attention.head_count_kv (default: head_count), context_length, rope.freq_base (default
// 10000), attention.layer_norm_rms_epsilon (default 1e-5), rope.scaling.type none/linear with
// rope.scaling.factor; rope.dimension_count must be the head size. Tensors (ne = [in, out]): token_embd,
// blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_down, ffn_up}, output_norm,
// output (absent: tied to token_embd), all ".weight", F32, F16, BF16 or Q8_0. llama.cpp's converters store
// q/k rows in Meta's order (they undo Hugging Face's rotate-half permutation), and llama.cpp rotates consecutive
// pairs for this architecture, so the checkpoint says RopeStyle::Interleaved, as llama2.c files do.
// Tokenizer: tokenizer.ggml.model "llama" (SentencePiece: tokens with "\u2581" for spaces and <0xXX> byte
// pieces, scores ranking the merges, add_space_prefix, bos/eos/unknown_token_id) or "gpt2" (byte-level: tokens in
// GPT-2's byte alphabet, merges "left right" by rank, GPT-2's split pattern; tokenizer.ggml.pre default or gpt-2,
// others refused by name).
#include <filesystem>
#include <memory>
#include <optional>

#include "models/llm/checkpoint.hpp"
#include "models/llm/gguf_file.hpp"
#include "models/llm/tokenizer.hpp"

namespace saffire::models::llm {

/// Loads the model of `file`: every tensor found and shape-checked against the metadata before anything is
/// allocated; with MappedProjections the seven projections stay in the mapping (read row by row when the W8A8
/// transformer quantizes them). Throws ModelFileError naming the file and the key or tensor (an architecture other
/// than llama, a missing key or tensor, a shape that contradicts the metadata, a non-finite value).
Checkpoint load_gguf_checkpoint(std::shared_ptr<const GgufFile> file, WeightStorage storage = WeightStorage::Fp32);

/// The file's tokenizer, or nullopt when it has no tokenizer.ggml.tokens. Throws ModelFileError naming the key for
/// a tokenizer model other than "llama" and "gpt2", a pre-tokenizer other than GPT-2's, or inconsistent arrays.
std::optional<Tokenizer> load_gguf_tokenizer(const GgufFile& file);

}  // namespace saffire::models::llm
