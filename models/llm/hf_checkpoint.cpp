#include "models/llm/hf_checkpoint.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/safetensors_folder.hpp"

namespace saffire::models::llm {

namespace fs = std::filesystem;

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// The tensors of the canonical FP32 buffer in order. Every one is looked up and its shape checked against the
// config before the buffer is allocated, so a config that lies about its size fails on the files it names.
class CanonicalLayout {
 public:
  explicit CanonicalLayout(const SafetensorsFolder& folder) : m_folder(folder) {}

  void add(const std::string& name, std::vector<std::int64_t> shape) {
    const auto found = m_folder.find(name);
    if (found.tensor == nullptr) {
      throw ModelFileError(m_folder.source(), "tensor '" + name + "' is missing (expected shape " + shape_text(shape) + ")");
    }
    if (found.tensor->shape != shape) {
      throw ModelFileError(*found.file, "tensor '" + name + "' has shape " + shape_text(found.tensor->shape) +
                                            " but config.json implies " + shape_text(shape));
    }
    m_entries.push_back(found);
    m_floats += static_cast<std::size_t>(found.tensor->elements);
  }
  std::size_t floats() const { return m_floats; }

  /// Converts every tensor, in order, into out (floats() values).
  void write(std::vector<float>& out) const {
    std::size_t at = 0;
    for (const auto& e : m_entries) {
      const auto n = static_cast<std::size_t>(e.tensor->elements);
      tensor_to_f32(*e.tensor, *e.file, std::span<float>(out.data() + at, n));
      at += n;
    }
  }

 private:
  const SafetensorsFolder& m_folder;
  std::vector<SafetensorsFolder::Found> m_entries;
  std::size_t m_floats = 0;
};

}  // namespace

bool is_hf_model_dir(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && fs::exists(path / "config.json", ec);
}

Checkpoint load_hf_checkpoint(const fs::path& dir, HfModelConfig* config_out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw ModelFileError(dir, "not a folder");
  const fs::path config_json = dir / "config.json";
  if (!fs::is_regular_file(config_json, ec)) {
    throw ModelFileError(config_json, "missing: a Hugging Face model folder needs config.json");
  }
  HfModelConfig hf = read_hf_config(config_json);
  LlamaConfig c = hf.llama;
  // Mistral's sliding window: saffire attends to all previous positions, which equals the window attention only
  // up to the window, so the context is capped there.
  if (hf.sliding_window > 0 && hf.sliding_window < c.seq_len) c.seq_len = hf.sliding_window;
  const SafetensorsFolder folder(dir);

  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim(), v = c.vocab_size;
  CanonicalLayout w(folder);
  const auto layer = [](int l, const char* rest) { return "model.layers." + std::to_string(l) + "." + rest; };
  w.add("model.embed_tokens.weight", {v, d});
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "input_layernorm.weight"), {d});
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "self_attn.q_proj.weight"), {d, d});
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "self_attn.k_proj.weight"), {kv, d});
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "self_attn.v_proj.weight"), {kv, d});
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "self_attn.o_proj.weight"), {d, d});
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "post_attention_layernorm.weight"), {d});
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "mlp.gate_proj.weight"), {h, d});  // w1
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "mlp.down_proj.weight"), {d, h});  // w2
  for (int l = 0; l < c.n_layers; ++l) w.add(layer(l, "mlp.up_proj.weight"), {h, d});    // w3
  w.add("model.norm.weight", {d});
  if (!c.shared_classifier) w.add("lm_head.weight", {v, d});
  if (static_cast<std::int64_t>(w.floats()) != canonical_weight_floats(c)) {
    throw std::logic_error("load_hf_checkpoint: layout mismatch");
  }
  arch::check_memory(arch::checked_mul(4, static_cast<std::int64_t>(w.floats()), "FP32 weights (bytes)"),
                     dir.string() + ": the FP32 weights");
  std::vector<float> data;
  try {
    data.resize(w.floats());
  } catch (const std::bad_alloc&) {
    throw ModelFileError(dir, "out of memory for the FP32 weights (" + std::to_string(w.floats()) + " floats)");
  }
  w.write(data);
  if (config_out != nullptr) *config_out = hf;
  return Checkpoint::from_weights(c, std::move(data), dir, CheckpointFormat::HuggingFace);
}

}  // namespace saffire::models::llm
