#pragma once
// GGUF files written by the tests (the format as ggml's docs/gguf.md describes it): metadata entries, tensor infos
// and aligned data, little-endian, version 3. stories260K (llama2.c, so q/k rows already in Meta's interleaved
// order, as llama.cpp's converters store them) with tok512's vocabulary and scores as a "llama" tokenizer.
// Tensors as F32, F16 or Q8_0 (blocks of 32: fp16 d = absmax / 127, q = round(x / d), as ggml quantizes them);
// 1-D norms stay F32 and a Q8_0 file keeps F16 for rows that are not whole blocks (llama.cpp's fallback).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/llm/checkpoint.hpp"
#include "models/llm/safetensors.hpp"
#include "models/llm/tokenizer.hpp"

namespace saffire::models::llm::test {

enum : std::uint32_t { kGgufU32 = 4, kGgufI32 = 5, kGgufF32 = 6, kGgufBool = 7, kGgufString = 8, kGgufArray = 9 };
enum : std::uint32_t { kGgmlF32 = 0, kGgmlF16 = 1, kGgmlQ4_0 = 2, kGgmlQ8_0 = 8 };

struct GgufEntry {
  std::string key;
  std::uint32_t type;
  std::string value;  // encoded
};
struct GgufFixtureTensor {
  std::string name;
  std::vector<std::uint64_t> ne;
  std::uint32_t type;
  std::string data;
  std::int64_t offset_bump = 0;  // added to the written offset (hostile files)
};

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
inline std::string gguf_str(const std::string& s) {
  std::string out;
  put<std::uint64_t>(out, s.size());
  return out + s;
}
inline GgufEntry kv_string(const std::string& k, const std::string& v) { return {k, kGgufString, gguf_str(v)}; }
inline GgufEntry kv_u32(const std::string& k, std::uint32_t v) {
  std::string s;
  put(s, v);
  return {k, kGgufU32, s};
}
inline GgufEntry kv_f32(const std::string& k, float v) {
  std::string s;
  put(s, v);
  return {k, kGgufF32, s};
}
inline GgufEntry kv_strings(const std::string& k, const std::vector<std::string>& v) {
  std::string s;
  put<std::uint32_t>(s, kGgufString);
  put<std::uint64_t>(s, v.size());
  for (const auto& e : v) s += gguf_str(e);
  return {k, kGgufArray, s};
}
inline GgufEntry kv_floats(const std::string& k, const std::vector<float>& v) {
  std::string s;
  put<std::uint32_t>(s, kGgufF32);
  put<std::uint64_t>(s, v.size());
  for (const float e : v) put(s, e);
  return {k, kGgufArray, s};
}

inline std::string encode_values(const float* x, std::int64_t n, std::int64_t row, std::uint32_t type) {
  std::string out;
  if (type == kGgmlF32) {
    out.append(reinterpret_cast<const char*>(x), static_cast<std::size_t>(4 * n));
  } else if (type == kGgmlF16) {
    for (std::int64_t i = 0; i < n; ++i) put(out, f32_to_f16(x[i]));
  } else {  // Q8_0, rows of `row` values
    for (std::int64_t b = 0; b < n; b += 32) {
      float amax = 0;
      for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[b + i]));
      const float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
      put(out, f32_to_f16(d));
      for (int i = 0; i < 32; ++i) put(out, static_cast<std::int8_t>(std::lround(x[b + i] * id)));
    }
    (void)row;
  }
  return out;
}

/// A (rows, cols) row-major matrix (or a vector when rows == 0) as a GGUF tensor (ne = [cols, rows]).
inline GgufFixtureTensor gguf_tensor(const std::string& name, const float* x, std::int64_t rows, std::int64_t cols,
                                     std::uint32_t type) {
  if (rows == 0) return {name, {static_cast<std::uint64_t>(cols)}, kGgmlF32, encode_values(x, cols, cols, kGgmlF32)};
  if (type == kGgmlQ8_0 && cols % 32 != 0) type = kGgmlF16;
  return {name, {static_cast<std::uint64_t>(cols), static_cast<std::uint64_t>(rows)}, type,
          encode_values(x, rows * cols, cols, type)};
}

/// llama-architecture metadata for `c`, and tok512-style tokenizer entries when `tok` is given.
inline std::vector<GgufEntry> llama_gguf_metadata(const LlamaConfig& c, const Tokenizer* tok) {
  std::vector<GgufEntry> kv = {kv_string("general.architecture", "llama"),
                               kv_string("general.name", "stories260K"),
                               kv_u32("llama.context_length", static_cast<std::uint32_t>(c.seq_len)),
                               kv_u32("llama.embedding_length", static_cast<std::uint32_t>(c.dim)),
                               kv_u32("llama.feed_forward_length", static_cast<std::uint32_t>(c.hidden_dim)),
                               kv_u32("llama.block_count", static_cast<std::uint32_t>(c.n_layers)),
                               kv_u32("llama.attention.head_count", static_cast<std::uint32_t>(c.n_heads)),
                               kv_u32("llama.attention.head_count_kv", static_cast<std::uint32_t>(c.n_kv_heads)),
                               kv_u32("llama.rope.dimension_count", static_cast<std::uint32_t>(c.head_size())),
                               kv_f32("llama.rope.freq_base", 10000.0f),
                               kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f),
                               kv_u32("general.alignment", 32)};
  if (tok != nullptr) {
    std::vector<std::string> pieces;
    std::vector<float> scores;
    for (int i = 0; i < tok->vocab_size(); ++i) {
      std::string p;
      for (const char ch : tok->piece(i)) p += ch == ' ' ? std::string("\xE2\x96\x81") : std::string(1, ch);
      pieces.push_back(p);
      scores.push_back(tok->score(i));
    }
    kv.push_back(kv_string("tokenizer.ggml.model", "llama"));
    kv.push_back(kv_strings("tokenizer.ggml.tokens", pieces));
    kv.push_back(kv_floats("tokenizer.ggml.scores", scores));
    kv.push_back(kv_u32("tokenizer.ggml.bos_token_id", 1));
    kv.push_back(kv_u32("tokenizer.ggml.eos_token_id", 2));
    kv.push_back(kv_u32("tokenizer.ggml.unknown_token_id", 0));
  }
  return kv;
}

/// The tensors of a llama2.c checkpoint under llama.cpp's names, matrices stored as `type`.
inline std::vector<GgufFixtureTensor> llama_gguf_tensors(const Checkpoint& ckpt, std::uint32_t type) {
  const LlamaConfig& c = ckpt.config();
  const LlamaWeights& w = ckpt.weights();
  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim(), v = c.vocab_size;
  std::vector<GgufFixtureTensor> t;
  t.push_back(gguf_tensor("token_embd.weight", w.token_embedding, v, d, type));
  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    t.push_back(gguf_tensor(p + "attn_norm.weight", w.rms_att + l * d, 0, d, type));
    t.push_back(gguf_tensor(p + "attn_q.weight", w.wq + l * d * d, d, d, type));
    t.push_back(gguf_tensor(p + "attn_k.weight", w.wk + l * kv * d, kv, d, type));
    t.push_back(gguf_tensor(p + "attn_v.weight", w.wv + l * kv * d, kv, d, type));
    t.push_back(gguf_tensor(p + "attn_output.weight", w.wo + l * d * d, d, d, type));
    t.push_back(gguf_tensor(p + "ffn_norm.weight", w.rms_ffn + l * d, 0, d, type));
    t.push_back(gguf_tensor(p + "ffn_gate.weight", w.w1 + l * h * d, h, d, type));
    t.push_back(gguf_tensor(p + "ffn_down.weight", w.w2 + l * d * h, d, h, type));
    t.push_back(gguf_tensor(p + "ffn_up.weight", w.w3 + l * h * d, h, d, type));
  }
  t.push_back(gguf_tensor("output_norm.weight", w.rms_final, 0, d, type));
  if (!c.shared_classifier) t.push_back(gguf_tensor("output.weight", w.classifier, v, d, type));
  return t;
}

inline void write_gguf(const std::filesystem::path& path, const std::vector<GgufEntry>& kv,
                       const std::vector<GgufFixtureTensor>& tensors, std::uint32_t alignment = 32) {
  std::string out = "GGUF";
  put<std::uint32_t>(out, 3);
  put<std::uint64_t>(out, tensors.size());
  put<std::uint64_t>(out, kv.size());
  for (const auto& e : kv) {
    out += gguf_str(e.key);
    put(out, e.type);
    out += e.value;
  }
  std::string data;
  for (const auto& t : tensors) {
    while (data.size() % alignment != 0) data += '\0';
    out += gguf_str(t.name);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(t.ne.size()));
    for (const auto n : t.ne) put<std::uint64_t>(out, n);
    put(out, t.type);
    put<std::uint64_t>(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(data.size()) + t.offset_bump));
    data += t.data;
  }
  while (out.size() % alignment != 0) out += '\0';
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << out << data;
}

/// A checkpoint (with `tok`'s vocabulary when given) as a GGUF file.
inline void write_llama_gguf(const std::filesystem::path& path, const Checkpoint& ckpt, std::uint32_t type,
                             const Tokenizer* tok) {
  write_gguf(path, llama_gguf_metadata(ckpt.config(), tok), llama_gguf_tensors(ckpt, type));
}

}  // namespace saffire::models::llm::test
