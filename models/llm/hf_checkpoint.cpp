#include "models/llm/hf_checkpoint.hpp"

#include <array>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"
#include "models/llm/hf_tensor_layout.hpp"
#include "models/llm/mapped_file.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/safetensors_folder.hpp"

namespace saffire::models::llm {

namespace fs = std::filesystem;

bool is_hf_model_dir(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && fs::exists(path / "config.json", ec);
}

namespace {

constexpr std::array<Component, 7> kProjections = {Component::Q,    Component::K,  Component::V,   Component::O,
                                                   Component::Gate, Component::Up, Component::Down};

// The projections of a Hugging Face folder read from its mapped safetensors (WeightStorage::MappedProjections):
// a row of a whole (out, in) tensor, or a column of a Conv1D (in, out) tensor (GPT-2), converted to FP32.
class HfProjections final : public ProjectionSource {
 public:
  HfProjections(std::shared_ptr<const SafetensorsFolder> folder, int n_layers, std::vector<TensorSource> sources)
      : m_folder(std::move(folder)), m_layers(n_layers), m_sources(std::move(sources)) {}

  void read_row(Component c, int layer, std::int64_t row, std::span<float> out) const override {
    const TensorSource& s = m_sources[static_cast<std::size_t>(slot(c) * m_layers + layer)];
    const TensorView& t = *s.found.tensor;
    if (s.take == TensorTake::TransposedColumns) {  // (rows = in, cols) source: column begin + row
      tensor_elements_to_f32(t, *s.found.file, s.begin + row, t.shape[1], out);
    } else {
      tensor_elements_to_f32(t, *s.found.file, row * static_cast<std::int64_t>(out.size()), 1, out);
    }
  }

  void release(Component c, int layer) const override {
    MappedFile::drop_pages(m_sources[static_cast<std::size_t>(slot(c) * m_layers + layer)].found.tensor->data);
  }

  static int slot(Component c) { return static_cast<int>(c); }  // Q .. Down are 0 .. 6

 private:
  std::shared_ptr<const SafetensorsFolder> m_folder;  // keeps the mappings the sources point into
  int m_layers;
  std::vector<TensorSource> m_sources;  // (7 projections, n_layers); Gate empty for a non-gated MLP
};

}  // namespace

Checkpoint load_hf_checkpoint(const fs::path& dir, HfModelConfig* config_out, WeightStorage storage) {
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
  const auto folder = std::make_shared<const SafetensorsFolder>(dir);
  const HfTensorLayout layout = hf_tensor_layout(*folder, hf.architecture, c);
  if (layout.floats() != canonical_weight_floats(c)) throw std::logic_error("load_hf_checkpoint: layout mismatch");
  if (config_out != nullptr) *config_out = hf;
  if (storage == WeightStorage::Fp32) {
    arch::check_memory(arch::checked_mul(4, layout.floats(), "FP32 weights (bytes)"), dir.string() + ": the FP32 weights");
    std::vector<float> data;
    try {
      data.resize(static_cast<std::size_t>(layout.floats()));
    } catch (const std::bad_alloc&) {
      throw ModelFileError(dir, "out of memory for the FP32 weights (" + std::to_string(layout.floats()) + " floats)");
    }
    layout.write(data);
    return Checkpoint::from_weights(c, std::move(data), dir, CheckpointFormat::HuggingFace);
  }
  // MappedProjections: each source that is one layer of a projection stays in the mapping; the rest is converted.
  std::vector<TensorSource> projections(kProjections.size() * static_cast<std::size_t>(c.n_layers));
  std::vector<const TensorSource*> resident;
  std::int64_t at = 0, resident_floats = 0;
  for (const TensorSource& s : layout.sources()) {
    bool mapped = false;
    for (const Component comp : kProjections) {
      const CanonicalRange r = canonical_projection_range(c, comp);
      if (r.per_layer == 0 || at < r.begin || at >= r.begin + r.per_layer * c.n_layers) continue;
      if ((at - r.begin) % r.per_layer != 0 || s.floats != r.per_layer || s.take == TensorTake::Slice) {
        throw std::logic_error("load_hf_checkpoint: a projection source is not one whole layer");
      }
      check_weight_dtype(*s.found.tensor, *s.found.file);  // bad dtypes fail at load, as with the FP32 copy
      const auto layer = static_cast<std::size_t>((at - r.begin) / r.per_layer);
      projections[static_cast<std::size_t>(HfProjections::slot(comp)) * static_cast<std::size_t>(c.n_layers) + layer] = s;
      mapped = true;
    }
    if (!mapped) {
      resident.push_back(&s);
      resident_floats += s.floats;
    }
    at += s.floats;
  }
  arch::check_memory(arch::checked_mul(4, resident_floats, "FP32 weights (bytes)"),
                     dir.string() + ": the FP32 weights other than the projections");
  std::vector<float> data(static_cast<std::size_t>(resident_floats));
  std::vector<float> scratch;
  std::size_t put = 0;
  for (const TensorSource* s : resident) {
    HfTensorLayout::write_source(*s, std::span<float>(data).subspan(put, static_cast<std::size_t>(s->floats)), scratch);
    MappedFile::drop_pages(s->found.tensor->data);  // converted: the FP32 copy is what stays resident
    put += static_cast<std::size_t>(s->floats);
  }
  auto source = std::make_shared<const HfProjections>(folder, c.n_layers, std::move(projections));
  return Checkpoint::with_mapped_projections(c, std::move(data), std::move(source), dir, CheckpointFormat::HuggingFace);
}

}  // namespace saffire::models::llm
