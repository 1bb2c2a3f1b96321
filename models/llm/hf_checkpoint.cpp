#include "models/llm/hf_checkpoint.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"
#include "models/llm/hf_tensor_layout.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/safetensors_folder.hpp"

namespace saffire::models::llm {

namespace fs = std::filesystem;

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
  const HfTensorLayout layout = hf_tensor_layout(folder, hf.architecture, c);
  if (layout.floats() != canonical_weight_floats(c)) throw std::logic_error("load_hf_checkpoint: layout mismatch");
  arch::check_memory(arch::checked_mul(4, layout.floats(), "FP32 weights (bytes)"), dir.string() + ": the FP32 weights");
  std::vector<float> data;
  try {
    data.resize(static_cast<std::size_t>(layout.floats()));
  } catch (const std::bad_alloc&) {
    throw ModelFileError(dir, "out of memory for the FP32 weights (" + std::to_string(layout.floats()) + " floats)");
  }
  layout.write(data);
  if (config_out != nullptr) *config_out = hf;
  return Checkpoint::from_weights(c, std::move(data), dir, CheckpointFormat::HuggingFace);
}

}  // namespace saffire::models::llm
