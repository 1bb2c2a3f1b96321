#include "models/llm/gguf_checkpoint.hpp"

#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/regex_splitter.hpp"
#include "models/llm/tokenizer_json.hpp"

namespace saffire::models::llm {

namespace fs = std::filesystem;

namespace {

// Per-layer tensor names in canonical order (checkpoint.hpp): the projections' Component and the norms.
constexpr std::array<Component, 7> kProjections = {Component::Q,    Component::K,  Component::V,   Component::O,
                                                   Component::Gate, Component::Up, Component::Down};
const char* projection_name(Component c) {
  switch (c) {
    case Component::Q: return "attn_q";
    case Component::K: return "attn_k";
    case Component::V: return "attn_v";
    case Component::O: return "attn_output";
    case Component::Gate: return "ffn_gate";
    case Component::Up: return "ffn_up";
    case Component::Down: return "ffn_down";
    default: return "?";
  }
}

std::string blk(int layer, const char* what) { return "blk." + std::to_string(layer) + "." + what + ".weight"; }

std::string dims_text(const std::vector<std::int64_t>& ne) {
  std::string out = "[";
  for (std::size_t i = 0; i < ne.size(); ++i) out += (i ? ", " : "") + std::to_string(ne[i]);
  return out + "]";
}

// The tensor `name` with ne exactly `ne`, or a ModelFileError naming it.
const GgufTensor& tensor(const GgufFile& f, const std::string& name, const std::vector<std::int64_t>& ne) {
  const GgufTensor* t = f.find(name);
  if (t == nullptr) throw ModelFileError(f.path(), "tensor '" + name + "' is missing (expected ne " + dims_text(ne) + ")");
  if (t->ne != ne) {
    throw ModelFileError(f.path(), "tensor '" + name + "' has ne " + dims_text(t->ne) + " but the metadata implies " +
                                       dims_text(ne));
  }
  return *t;
}

int int_key(const GgufFile& f, const std::string& key, std::int64_t lo, std::int64_t hi, std::optional<std::int64_t> fallback = {}) {
  const std::int64_t v = fallback && !f.has(key) ? *fallback : f.integer(key);
  if (v < lo || v > hi) {
    throw ModelFileError(f.path(), "key '" + key + "' is " + std::to_string(v) + " (expected " + std::to_string(lo) +
                                       " to " + std::to_string(hi) + ")");
  }
  return static_cast<int>(v);
}

LlamaConfig gguf_config(const GgufFile& f) {
  const std::string arch = f.string("general.architecture");
  if (arch != "llama") {
    throw ModelFileError(f.path(), "key 'general.architecture' is '" + arch + "' (supported: llama)");
  }
  LlamaConfig c;
  c.dim = int_key(f, "llama.embedding_length", 1, 1 << 16);
  c.hidden_dim = int_key(f, "llama.feed_forward_length", 1, 1 << 18);
  c.n_layers = int_key(f, "llama.block_count", 1, 1 << 10);
  c.n_heads = int_key(f, "llama.attention.head_count", 1, c.dim);
  c.n_kv_heads = int_key(f, "llama.attention.head_count_kv", 1, c.n_heads, c.n_heads);
  c.seq_len = int_key(f, "llama.context_length", 1, 131072);
  if (c.dim % c.n_heads != 0 || (c.dim / c.n_heads) % 2 != 0) {
    throw ModelFileError(f.path(), "key 'llama.attention.head_count' is " + std::to_string(c.n_heads) +
                                       ": the width " + std::to_string(c.dim) + " must be an even head size times it");
  }
  if (c.n_heads % c.n_kv_heads != 0) {
    throw ModelFileError(f.path(), "key 'llama.attention.head_count_kv' (" + std::to_string(c.n_kv_heads) +
                                       ") does not divide the head count " + std::to_string(c.n_heads));
  }
  for (const char* key : {"llama.rope.dimension_count", "llama.attention.key_length", "llama.attention.value_length"}) {
    if (f.has(key) && f.integer(key) != c.head_size()) {
      throw ModelFileError(f.path(), "key '" + std::string(key) + "' is " + std::to_string(f.integer(key)) +
                                         " but only the head size " + std::to_string(c.head_size()) + " is supported");
    }
  }
  const GgufTensor* emb = f.find("token_embd.weight");
  if (emb == nullptr) throw ModelFileError(f.path(), "tensor 'token_embd.weight' is missing");
  if (emb->ne.size() != 2 || emb->ne[1] > (1 << 20)) {
    throw ModelFileError(f.path(), "tensor 'token_embd.weight' has ne " + dims_text(emb->ne) + " (expected [" +
                                       std::to_string(c.dim) + ", vocab])");
  }
  c.vocab_size = static_cast<int>(emb->ne[1]);
  if (f.has("llama.vocab_size") && f.integer("llama.vocab_size") != c.vocab_size) {
    throw ModelFileError(f.path(), "key 'llama.vocab_size' is " + std::to_string(f.integer("llama.vocab_size")) +
                                       " but token_embd.weight has " + std::to_string(c.vocab_size) + " rows");
  }
  c.shared_classifier = f.find("output.weight") == nullptr;
  c.rope.style = RopeStyle::Interleaved;
  c.rope.theta = f.number_or("llama.rope.freq_base", 10000.0);
  if (!(c.rope.theta > 1.0) || !std::isfinite(c.rope.theta)) {
    throw ModelFileError(f.path(), "key 'llama.rope.freq_base' is " + std::to_string(c.rope.theta) + " (expected > 1)");
  }
  const std::string scaling = f.has("llama.rope.scaling.type") ? f.string("llama.rope.scaling.type") : "none";
  if (scaling == "linear") {
    c.rope.scaling.kind = RopeScaling::Kind::Linear;
    c.rope.scaling.factor = f.number("llama.rope.scaling.factor");
    if (!(c.rope.scaling.factor >= 1.0) || !std::isfinite(c.rope.scaling.factor)) {
      throw ModelFileError(f.path(), "key 'llama.rope.scaling.factor' must be a finite number >= 1");
    }
  } else if (scaling != "none") {
    throw ModelFileError(f.path(), "key 'llama.rope.scaling.type' is '" + scaling + "' (supported: none, linear)");
  }
  const double eps = f.number_or("llama.attention.layer_norm_rms_epsilon", 1e-5);
  if (!(eps > 0 && eps < 1)) {
    throw ModelFileError(f.path(), "key 'llama.attention.layer_norm_rms_epsilon' is " + std::to_string(eps) +
                                       " (expected 0 < eps < 1)");
  }
  c.norm_eps = static_cast<float>(eps);
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(f.path(), std::string("the model's metadata: ") + e.what());
  }
  return c;
}

// (out, in) of a projection, as GGUF's ne = [in, out].
std::vector<std::int64_t> projection_ne(const LlamaConfig& c, Component comp) {
  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  switch (comp) {
    case Component::K:
    case Component::V: return {d, kv};
    case Component::Gate:
    case Component::Up: return {d, h};
    case Component::Down: return {h, d};
    default: return {d, d};
  }
}

class GgufProjections final : public ProjectionSource {
 public:
  GgufProjections(std::shared_ptr<const GgufFile> file, int n_layers, std::vector<const GgufTensor*> tensors)
      : m_file(std::move(file)), m_layers(n_layers), m_tensors(std::move(tensors)) {}
  void read_row(Component c, int layer, std::int64_t row, std::span<float> out) const override {
    gguf_row_to_f32(*at(c, layer), m_file->path(), row, out);
  }
  void release(Component c, int layer) const override { MappedFile::drop_pages(at(c, layer)->data); }

 private:
  const GgufTensor* at(Component c, int layer) const {
    return m_tensors[static_cast<std::size_t>(static_cast<int>(c) * m_layers + layer)];
  }
  std::shared_ptr<const GgufFile> m_file;  // keeps the mapping the tensors point into
  int m_layers;
  std::vector<const GgufTensor*> m_tensors;  // (Q .. Down, n_layers)
};

}  // namespace

Checkpoint load_gguf_checkpoint(std::shared_ptr<const GgufFile> file, WeightStorage storage) {
  const GgufFile& f = *file;
  const LlamaConfig c = gguf_config(f);
  const std::int64_t d = c.dim, v = c.vocab_size;
  const int n = c.n_layers;
  // Every tensor, in canonical order, found and shape-checked before any allocation.
  const GgufTensor& emb = tensor(f, "token_embd.weight", {d, v});
  std::vector<const GgufTensor*> att_norm, ffn_norm, proj(kProjections.size() * static_cast<std::size_t>(n));
  for (int l = 0; l < n; ++l) {
    att_norm.push_back(&tensor(f, blk(l, "attn_norm"), {d}));
    ffn_norm.push_back(&tensor(f, blk(l, "ffn_norm"), {d}));
    for (const Component comp : kProjections) {
      proj[static_cast<std::size_t>(static_cast<int>(comp) * n + l)] =
          &tensor(f, blk(l, projection_name(comp)), projection_ne(c, comp));
    }
  }
  const GgufTensor& final_norm = tensor(f, "output_norm.weight", {d});
  const GgufTensor* classifier = c.shared_classifier ? nullptr : &tensor(f, "output.weight", {d, v});

  const bool mapped = storage == WeightStorage::MappedProjections;
  std::vector<const GgufTensor*> order{&emb};
  order.insert(order.end(), att_norm.begin(), att_norm.end());
  // Canonical: wq, wk, wv, wo, rms_ffn, w1 (Gate), w2 (Down), w3 (Up).
  const auto layers_of = [&](Component comp) {
    for (int l = 0; l < n; ++l) order.push_back(proj[static_cast<std::size_t>(static_cast<int>(comp) * n + l)]);
  };
  if (!mapped) {
    for (const Component comp : {Component::Q, Component::K, Component::V, Component::O}) layers_of(comp);
  }
  order.insert(order.end(), ffn_norm.begin(), ffn_norm.end());
  if (!mapped) {
    for (const Component comp : {Component::Gate, Component::Down, Component::Up}) layers_of(comp);
  }
  order.push_back(&final_norm);
  if (classifier != nullptr) order.push_back(classifier);

  std::int64_t floats = 0;
  for (const GgufTensor* t : order) floats = arch::checked_add(floats, t->elements, "GGUF weights (floats)");
  arch::check_memory(arch::checked_mul(4, floats, "FP32 weights (bytes)"),
                     f.path().string() + (mapped ? ": the FP32 weights other than the projections" : ": the FP32 weights"));
  std::vector<float> data(static_cast<std::size_t>(floats));
  std::size_t at = 0;
  for (const GgufTensor* t : order) {
    gguf_tensor_to_f32(*t, f.path(), std::span<float>(data).subspan(at, static_cast<std::size_t>(t->elements)));
    MappedFile::drop_pages(t->data);  // converted: the FP32 copy is what stays resident
    at += static_cast<std::size_t>(t->elements);
  }
  if (!mapped) return Checkpoint::from_weights(c, std::move(data), f.path(), CheckpointFormat::Gguf);
  const fs::path path = f.path();
  auto source = std::make_shared<const GgufProjections>(std::move(file), n, std::move(proj));
  return Checkpoint::with_mapped_projections(c, std::move(data), std::move(source), path, CheckpointFormat::Gguf);
}

namespace {

// The token id of `key`: the file's when present (inside the vocabulary), else `fallback` when it is (-1: none).
int token_id(const GgufFile& f, const char* key, std::int64_t fallback, std::int64_t n_tokens) {
  const std::int64_t i = f.has(key) ? f.integer(key) : (fallback < n_tokens ? fallback : -1);
  if (i < -1 || i >= n_tokens) {
    throw ModelFileError(f.path(), "key '" + std::string(key) + "' is " + std::to_string(i) + " (outside the " +
                                       std::to_string(n_tokens) + " tokens)");
  }
  return static_cast<int>(i);
}

// "llama": SentencePiece pieces ("\u2581" is a space in the raw pieces) ranked by their scores.
void spm_vocabulary(const GgufFile& f, TokenizerVocabulary& voc) {
  voc.kind = TokenizerVocabulary::Kind::SentencePiece;
  for (std::string& p : voc.pieces) {
    std::string raw;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p.compare(i, 3, "\xE2\x96\x81") == 0) {
        raw += ' ';
        i += 2;
      } else {
        raw += p[i];
      }
    }
    p = std::move(raw);
  }
  voc.scores = f.float_array("tokenizer.ggml.scores");
  if (voc.scores.size() != voc.pieces.size()) {
    throw ModelFileError(f.path(), "key 'tokenizer.ggml.scores' has " + std::to_string(voc.scores.size()) +
                                       " entries for " + std::to_string(voc.pieces.size()) + " tokens");
  }
  const auto n = static_cast<std::int64_t>(voc.pieces.size());
  voc.unk = token_id(f, "tokenizer.ggml.unknown_token_id", 0, n);
  voc.bos = token_id(f, "tokenizer.ggml.bos_token_id", 1, n);
  voc.eos = token_id(f, "tokenizer.ggml.eos_token_id", 2, n);
  voc.dummy_prefix = f.boolean_or("tokenizer.ggml.add_space_prefix", true);
}

// "gpt2": byte-level pieces (GPT-2's byte alphabet), merges "left right" in rank order, GPT-2's split pattern.
void byte_level_vocabulary(const GgufFile& f, TokenizerVocabulary& voc) {
  const std::string pre = f.has("tokenizer.ggml.pre") ? f.string("tokenizer.ggml.pre") : "default";
  if (pre != "default" && pre != "gpt-2") {
    throw ModelFileError(f.path(), "key 'tokenizer.ggml.pre' is '" + pre +
                                       "' (supported: default, gpt-2; give --tokenizer with the model's tokenizer.json)");
  }
  voc.kind = TokenizerVocabulary::Kind::ByteLevel;
  voc.split_pattern = std::string(kGpt2SplitPattern);
  std::unordered_map<std::string, int> id_of;
  for (std::size_t i = 0; i < voc.pieces.size(); ++i) id_of.emplace(voc.pieces[i], static_cast<int>(i));
  const std::vector<std::string> merges = f.string_array("tokenizer.ggml.merges");
  for (std::size_t r = 0; r < merges.size(); ++r) {
    const std::size_t sp = merges[r].find(' ');
    const auto a = sp == std::string::npos ? id_of.end() : id_of.find(merges[r].substr(0, sp));
    const auto b = sp == std::string::npos ? id_of.end() : id_of.find(merges[r].substr(sp + 1));
    if (a == id_of.end() || b == id_of.end()) {
      throw ModelFileError(f.path(), "key 'tokenizer.ggml.merges' entry " + std::to_string(r) + " ('" + merges[r] +
                                         "') is not two tokens of the vocabulary");
    }
    voc.merges.emplace_back(a->second, b->second);
  }
  for (std::string& p : voc.pieces) p = byte_level_piece_bytes(p);
  const auto n = static_cast<std::int64_t>(voc.pieces.size());
  voc.unk = token_id(f, "tokenizer.ggml.unknown_token_id", -1, n);
  voc.bos = token_id(f, "tokenizer.ggml.bos_token_id", -1, n);
  voc.eos = token_id(f, "tokenizer.ggml.eos_token_id", -1, n);
  voc.dummy_prefix = f.boolean_or("tokenizer.ggml.add_space_prefix", false);
}

}  // namespace

std::optional<Tokenizer> load_gguf_tokenizer(const GgufFile& f) {
  if (!f.has("tokenizer.ggml.tokens")) return std::nullopt;
  const std::string model = f.has("tokenizer.ggml.model") ? f.string("tokenizer.ggml.model") : "llama";
  if (model != "llama" && model != "gpt2") {
    throw ModelFileError(f.path(), "key 'tokenizer.ggml.model' is '" + model +
                                       "' (supported: llama, gpt2; give --tokenizer with the model's tokenizer.json)");
  }
  TokenizerVocabulary voc;
  voc.pieces = f.string_array("tokenizer.ggml.tokens");
  if (model == "llama") {
    spm_vocabulary(f, voc);
  } else {
    byte_level_vocabulary(f, voc);
  }
  try {
    return Tokenizer(voc);
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(f.path(), std::string("tokenizer.ggml.tokens: ") + e.what());
  }
}

}  // namespace saffire::models::llm
