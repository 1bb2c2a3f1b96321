#include "models/llm/hf_tensor_layout.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/llm/model_files.hpp"

namespace saffire::models::llm {

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::string layer_name(const std::string& prefix, int l, const char* rest) {
  return prefix + std::to_string(l) + "." + rest;
}

// The name prefix a folder uses: `preferred` (e.g. "transformer.") when `probe` exists under it, else none
// (GPT-2's original files say "h.0...", save_pretrained writes "transformer.h.0...").
std::string name_prefix(const SafetensorsFolder& folder, const std::string& preferred, const std::string& probe) {
  if (folder.find(preferred + probe).tensor != nullptr) return preferred;
  if (folder.find(probe).tensor != nullptr) return {};
  return preferred;  // neither: the error names the preferred spelling
}

// LLaMA, Mistral, Qwen2: model.embed_tokens, model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj,
// post_attention_layernorm, mlp.{gate,up,down}_proj}, model.norm, lm_head.
void llama_layout(HfTensorLayout& w, const LlamaConfig& c) {
  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim(), v = c.vocab_size;
  const std::string p = "model.layers.";
  const int n = c.n_layers;
  w.add("model.embed_tokens.weight", {v, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "input_layernorm.weight"), {d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.q_proj.weight"), {d, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.k_proj.weight"), {kv, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.v_proj.weight"), {kv, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.o_proj.weight"), {d, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "post_attention_layernorm.weight"), {d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "mlp.gate_proj.weight"), {h, d});  // w1
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "mlp.down_proj.weight"), {d, h});  // w2
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "mlp.up_proj.weight"), {h, d});    // w3
  w.add("model.norm.weight", {d});
  if (!c.shared_classifier) w.add("lm_head.weight", {v, d});
  if (c.style.qkv_bias) {
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.q_proj.bias"), {d});
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.k_proj.bias"), {kv});
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.v_proj.bias"), {kv});
  }
  if (c.style.o_bias) {
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.o_proj.bias"), {d});
  }
}

// OPT: model.decoder.{embed_tokens, embed_positions, project_in, project_out, final_layer_norm} and
// model.decoder.layers.N.{self_attn_layer_norm, self_attn.{q,k,v,out}_proj, final_layer_norm, fc1, fc2}.
// fc1 is Up (w3), fc2 is Down (w2); there is no Gate.
void opt_layout(HfTensorLayout& w, const SafetensorsFolder& folder, const LlamaConfig& c) {
  const std::int64_t d = c.dim, h = c.hidden_dim, v = c.vocab_size, e = c.embedding_dim();
  const std::string root = name_prefix(folder, "model.", "decoder.embed_tokens.weight") + "decoder.";
  const std::string p = root + "layers.";
  const int n = c.n_layers;
  const BlockStyle& s = c.style;
  w.add(root + "embed_tokens.weight", {v, e});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn_layer_norm.weight"), {d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.q_proj.weight"), {d, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.k_proj.weight"), {d, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.v_proj.weight"), {d, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.out_proj.weight"), {d, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "final_layer_norm.weight"), {d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "fc2.weight"), {d, h});  // w2: Down
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "fc1.weight"), {h, d});  // w3: Up
  if (s.final_norm) w.add(root + "final_layer_norm.weight", {d});
  if (!c.shared_classifier) w.add("lm_head.weight", {v, e});
  if (s.qkv_bias) {
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.q_proj.bias"), {d});
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.k_proj.bias"), {d});
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.v_proj.bias"), {d});
  }
  if (s.o_bias) {
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn.out_proj.bias"), {d});
  }
  if (s.mlp_bias) {
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "fc1.bias"), {h});
    for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "fc2.bias"), {d});
  }
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "self_attn_layer_norm.bias"), {d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "final_layer_norm.bias"), {d});
  if (s.final_norm) w.add(root + "final_layer_norm.bias", {d});
  w.add(root + "embed_positions.weight", {s.position_rows, d});
  if (s.projected()) {
    w.add(root + "project_in.weight", {d, e});
    w.add(root + "project_out.weight", {e, d});
  }
}

// GPT-2: [transformer.]{wte, wpe, ln_f} and h.N.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj}.
// Conv1D weights are stored (in, out) and are transposed; the fused c_attn (d, 3d) is split into Q, K, V.
void gpt2_layout(HfTensorLayout& w, const SafetensorsFolder& folder, const LlamaConfig& c) {
  const std::int64_t d = c.dim, h = c.hidden_dim, v = c.vocab_size;
  const std::string root = name_prefix(folder, "transformer.", "wte.weight");
  const std::string p = root + "h.";
  const int n = c.n_layers;
  w.add(root + "wte.weight", {v, d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "ln_1.weight"), {d});
  for (int part = 0; part < 3; ++part) {  // wq, wk, wv
    for (int l = 0; l < n; ++l) w.add_transposed_columns(layer_name(p, l, "attn.c_attn.weight"), d, 3 * d, part * d, d);
  }
  for (int l = 0; l < n; ++l) w.add_transposed_columns(layer_name(p, l, "attn.c_proj.weight"), d, d, 0, d);
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "ln_2.weight"), {d});
  for (int l = 0; l < n; ++l) w.add_transposed_columns(layer_name(p, l, "mlp.c_proj.weight"), h, d, 0, d);  // w2
  for (int l = 0; l < n; ++l) w.add_transposed_columns(layer_name(p, l, "mlp.c_fc.weight"), d, h, 0, h);    // w3
  w.add(root + "ln_f.weight", {d});
  for (int part = 0; part < 3; ++part) {  // bq, bk, bv
    for (int l = 0; l < n; ++l) w.add_slice(layer_name(p, l, "attn.c_attn.bias"), 3 * d, part * d, d);
  }
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "attn.c_proj.bias"), {d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "mlp.c_fc.bias"), {h});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "mlp.c_proj.bias"), {d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "ln_1.bias"), {d});
  for (int l = 0; l < n; ++l) w.add(layer_name(p, l, "ln_2.bias"), {d});
  w.add(root + "ln_f.bias", {d});
  w.add(root + "wpe.weight", {c.style.position_rows, d});
}

}  // namespace

SafetensorsFolder::Found HfTensorLayout::find(const std::string& name, const std::vector<std::int64_t>& shape) const {
  const auto found = m_folder->find(name);
  if (found.tensor == nullptr) {
    throw ModelFileError(m_folder->source(), "tensor '" + name + "' is missing (expected shape " + shape_text(shape) + ")");
  }
  if (found.tensor->shape != shape) {
    throw ModelFileError(*found.file, "tensor '" + name + "' has shape " + shape_text(found.tensor->shape) +
                                          " but config.json implies " + shape_text(shape));
  }
  return found;
}

void HfTensorLayout::add(const std::string& name, const std::vector<std::int64_t>& shape) {
  const auto found = find(name, shape);
  m_sources.push_back({found, TensorTake::Whole, 0, 0, found.tensor->elements});
  m_floats += found.tensor->elements;
}

void HfTensorLayout::add_slice(const std::string& name, std::int64_t length, std::int64_t begin, std::int64_t count) {
  const auto found = find(name, {length});
  m_sources.push_back({found, TensorTake::Slice, begin, count, count});
  m_floats += count;
}

void HfTensorLayout::add_transposed_columns(const std::string& name, std::int64_t rows, std::int64_t cols,
                                            std::int64_t begin, std::int64_t count) {
  const auto found = find(name, {rows, cols});
  m_sources.push_back({found, TensorTake::TransposedColumns, begin, count, rows * count});
  m_floats += rows * count;
}

void HfTensorLayout::write_source(const TensorSource& s, std::span<float> out, std::vector<float>& scratch) {
  const TensorView& t = *s.found.tensor;
  if (s.take == TensorTake::Whole) {
    tensor_to_f32(t, *s.found.file, out.first(static_cast<std::size_t>(t.elements)));
    return;
  }
  scratch.resize(static_cast<std::size_t>(t.elements));
  tensor_to_f32(t, *s.found.file, scratch);
  if (s.take == TensorTake::Slice) {
    std::copy_n(scratch.begin() + s.begin, s.count, out.begin());
    return;
  }
  // (rows, cols) row-major -> columns [begin, begin + count) as (count, rows).
  const std::int64_t rows = t.shape[0], cols = t.shape[1];
  for (std::int64_t j = 0; j < s.count; ++j) {
    for (std::int64_t i = 0; i < rows; ++i) {
      out[static_cast<std::size_t>(j * rows + i)] = scratch[static_cast<std::size_t>(i * cols + s.begin + j)];
    }
  }
}

void HfTensorLayout::write(std::span<float> out) const {
  std::vector<float> scratch;
  std::size_t at = 0;
  for (const auto& s : m_sources) {
    write_source(s, out.subspan(at, static_cast<std::size_t>(s.floats)), scratch);
    at += static_cast<std::size_t>(s.floats);
  }
}

HfTensorLayout hf_tensor_layout(const SafetensorsFolder& folder, HfArchitecture architecture, const LlamaConfig& c) {
  HfTensorLayout w(folder);
  switch (architecture) {
    case HfArchitecture::Opt:
      opt_layout(w, folder, c);
      break;
    case HfArchitecture::Gpt2:
      gpt2_layout(w, folder, c);
      break;
    case HfArchitecture::Llama:
    case HfArchitecture::Mistral:
    case HfArchitecture::Qwen2:
      llama_layout(w, c);
      break;
  }
  return w;
}

}  // namespace saffire::models::llm
