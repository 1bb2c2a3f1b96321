#pragma once
// Test fixtures in the Hugging Face layout, written by the tests themselves: safetensors files (F32, F16, BF16),
// config.json, and stories260K converted as Hugging Face's convert_llama_weights_to_hf.py converts Meta's LLaMA
// (q/k rows permuted for rotate-half RoPE), with a tokenizer.json equivalent of tok512 (merges derived from the
// vocabulary as `tokenizers`' SentencePiece converter derives them).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/llm/checkpoint.hpp"
#include "models/llm/safetensors.hpp"
#include "models/llm/tokenizer.hpp"

namespace saffire::models::llm::test {

struct FixtureTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

/// Writes a safetensors file with every tensor stored as `dtype` ("F32", "F16" or "BF16").
inline void write_safetensors(const std::filesystem::path& path, const std::vector<FixtureTensor>& tensors,
                              const std::string& dtype) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& t : tensors) {
    const std::size_t begin = data.size();
    for (const float v : t.values) {
      if (dtype == "F32") {
        data.append(reinterpret_cast<const char*>(&v), 4);
      } else {
        const std::uint16_t h = dtype == "F16" ? f32_to_f16(v) : f32_to_bf16(v);
        data.append(reinterpret_cast<const char*>(&h), 2);
      }
    }
    header[t.name] = {{"dtype", dtype}, {"shape", t.shape}, {"data_offsets", {begin, data.size()}}};
  }
  header["__metadata__"] = {{"format", "pt"}};
  std::string h = header.dump();
  while (h.size() % 8 != 0) h += ' ';  // the format pads the header with spaces
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::uint64_t n = h.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << h << data;
}

/// Meta's interleaved (2i, 2i+1) q/k rows to Hugging Face's rotate-half order, per head:
/// new row p * (hd/2) + i = old row 2i + p (the script's view(heads, hd/2, 2, in).transpose(1, 2)).
inline std::vector<float> permute_for_rotate_half(const float* w, int heads, int head_size, int in) {
  std::vector<float> out(static_cast<std::size_t>(heads) * head_size * in);
  const int half = head_size / 2;
  for (int h = 0; h < heads; ++h) {
    for (int i = 0; i < half; ++i) {
      for (int p = 0; p < 2; ++p) {
        const float* src = w + (static_cast<std::size_t>(h) * head_size + 2 * i + p) * in;
        float* dst = out.data() + (static_cast<std::size_t>(h) * head_size + p * half + i) * in;
        std::copy_n(src, in, dst);
      }
    }
  }
  return out;
}

/// The tensors of a llama2.c checkpoint under Hugging Face's LlamaForCausalLM names.
inline std::vector<FixtureTensor> llama_hf_tensors(const Checkpoint& ckpt) {
  const LlamaConfig& c = ckpt.config();
  const LlamaWeights& w = ckpt.weights();
  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim(), v = c.vocab_size;
  const auto span = [](const float* p, std::int64_t n) { return std::vector<float>(p, p + n); };
  std::vector<FixtureTensor> t;
  t.push_back({"model.embed_tokens.weight", {v, d}, span(w.token_embedding, v * d)});
  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    t.push_back({p + "input_layernorm.weight", {d}, span(w.rms_att + l * d, d)});
    t.push_back({p + "self_attn.q_proj.weight", {d, d}, permute_for_rotate_half(w.wq + l * d * d, c.n_heads, c.head_size(), c.dim)});
    t.push_back({p + "self_attn.k_proj.weight", {kv, d},
                 permute_for_rotate_half(w.wk + l * kv * d, c.n_kv_heads, c.head_size(), c.dim)});
    t.push_back({p + "self_attn.v_proj.weight", {kv, d}, span(w.wv + l * kv * d, kv * d)});
    t.push_back({p + "self_attn.o_proj.weight", {d, d}, span(w.wo + l * d * d, d * d)});
    t.push_back({p + "post_attention_layernorm.weight", {d}, span(w.rms_ffn + l * d, d)});
    t.push_back({p + "mlp.gate_proj.weight", {h, d}, span(w.w1 + l * h * d, h * d)});
    t.push_back({p + "mlp.up_proj.weight", {h, d}, span(w.w3 + l * h * d, h * d)});
    t.push_back({p + "mlp.down_proj.weight", {d, h}, span(w.w2 + l * d * h, d * h)});
  }
  t.push_back({"model.norm.weight", {d}, span(w.rms_final, d)});
  if (!c.shared_classifier) t.push_back({"lm_head.weight", {v, d}, span(w.classifier, v * d)});
  return t;
}

inline nlohmann::json llama_hf_config(const LlamaConfig& c) {
  return {{"architectures", {"LlamaForCausalLM"}},
          {"model_type", "llama"},
          {"hidden_size", c.dim},
          {"intermediate_size", c.hidden_dim},
          {"num_hidden_layers", c.n_layers},
          {"num_attention_heads", c.n_heads},
          {"num_key_value_heads", c.n_kv_heads},
          {"vocab_size", c.vocab_size},
          {"max_position_embeddings", c.seq_len},
          {"rms_norm_eps", 1e-5},
          {"rope_theta", 10000.0},
          {"hidden_act", "silu"},
          {"tie_word_embeddings", c.shared_classifier},
          {"bos_token_id", 1},
          {"eos_token_id", 2},
          {"torch_dtype", "float32"}};
}

inline void write_json(const std::filesystem::path& path, const nlohmann::json& j) {
  std::ofstream out(path, std::ios::trunc);
  out << j.dump(2);
}

/// A tokenizer.json (LLaMA-2 style: Prepend/Replace "\u2581" normalizer, no pre-tokenizer, byte fallback) with the
/// vocabulary of a llama2.c tokenizer; merges as tokenizers' SentencePieceExtractor derives them: every split of
/// every piece into two pieces of the vocabulary, ordered by the merged piece's score, best first.
inline nlohmann::json spm_tokenizer_json(const Tokenizer& tok) {
  const auto hf_piece = [](std::string_view p) {
    std::string out;
    for (const char ch : p) out += ch == ' ' ? std::string("\xE2\x96\x81") : std::string(1, ch);
    return out;
  };
  nlohmann::json vocab = nlohmann::json::object();
  std::map<std::string, int> id_of;
  const std::vector<std::string> specials = {"<unk>", "<s>", "</s>"};
  for (int i = 0; i < tok.vocab_size(); ++i) {
    const std::string p = i < 3 ? specials[static_cast<std::size_t>(i)] : hf_piece(tok.piece(i));
    vocab[p] = i;
    id_of.emplace(p, i);
  }
  struct Merge {
    std::string left, right;
    float score;
    int left_id, right_id;
  };
  std::vector<Merge> merges;
  for (int i = 3; i < tok.vocab_size(); ++i) {
    const std::string p = hf_piece(tok.piece(i));
    // Split at code point boundaries only.
    for (std::size_t at = 1; at < p.size(); ++at) {
      if ((static_cast<unsigned char>(p[at]) & 0xC0) == 0x80) continue;
      const std::string l = p.substr(0, at), r = p.substr(at);
      if (id_of.count(l) && id_of.count(r)) merges.push_back({l, r, tok.score(i), id_of[l], id_of[r]});
    }
  }
  std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
    return a.left_id != b.left_id ? a.left_id < b.left_id : a.right_id < b.right_id;
  });
  std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) { return a.score > b.score; });
  nlohmann::json merge_list = nlohmann::json::array();
  for (const auto& m : merges) merge_list.push_back(m.left + " " + m.right);
  nlohmann::json added = nlohmann::json::array();
  for (int i = 0; i < 3; ++i) added.push_back({{"id", i}, {"content", specials[static_cast<std::size_t>(i)]}, {"special", true}});
  return {{"version", "1.0"},
          {"added_tokens", added},
          {"normalizer",
           {{"type", "Sequence"},
            {"normalizers",
             {{{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}},
              {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}}}}}},
          {"pre_tokenizer", nullptr},
          {"decoder",
           {{"type", "Sequence"},
            {"decoders",
             {{{"type", "Replace"}, {"pattern", {{"String", "\xE2\x96\x81"}}}, {"content", " "}},
              {{"type", "ByteFallback"}},
              {{"type", "Fuse"}},
              {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
          {"model",
           {{"type", "BPE"},
            {"dropout", nullptr},
            {"unk_token", "<unk>"},
            {"fuse_unk", true},
            {"byte_fallback", true},
            {"vocab", vocab},
            {"merges", merge_list}}}};
}

/// Writes `ckpt` as a Hugging Face LLaMA folder (config.json, model.safetensors in `dtype`, and tokenizer.json
/// from `tok` when given).
inline void write_llama_hf_folder(const std::filesystem::path& dir, const Checkpoint& ckpt, const std::string& dtype,
                                  const Tokenizer* tok) {
  std::filesystem::create_directories(dir);
  write_json(dir / "config.json", llama_hf_config(ckpt.config()));
  write_safetensors(dir / "model.safetensors", llama_hf_tensors(ckpt), dtype);
  if (tok != nullptr) write_json(dir / "tokenizer.json", spm_tokenizer_json(*tok));
}

}  // namespace saffire::models::llm::test
