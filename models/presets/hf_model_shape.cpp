#include "models/presets/hf_model_shape.hpp"

#include <cstdint>
#include <string>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"
#include "models/llm/hf_config.hpp"

namespace saffire::models {

ModelShape shape_from_hf_config(const std::filesystem::path& config_json) {
  // A regular file of at most 16 MB before the JSON is parsed (a directory or FIFO is refused unopened).
  (void)read_text_file(config_json, "model config", std::int64_t{16} << 20);
  // The loader's key rules (models/llm/hf_config.hpp), for shapes: model_type may name the family.
  const llm::HfModelConfig hf = llm::read_hf_config(config_json, llm::HfConfigUse::Shapes);
  const llm::LlamaConfig& c = hf.llama;
  ModelShape s;
  s.dim = c.dim;
  s.hidden_dim = c.hidden_dim;
  s.n_layers = c.n_layers;
  s.n_heads = c.n_heads;
  s.n_kv_heads = c.n_kv_heads;
  s.vocab_size = c.vocab_size;
  s.embed_dim = c.style.embed_dim;  // opt-350m's word_embed_proj_dim (0: the width)
  switch (c.style.mlp) {
    case llm::MlpKind::SwiGLU:
      s.ffn = FfnKind::SwiGLU;
      break;
    case llm::MlpKind::Relu:
      s.ffn = FfnKind::ReLU;
      break;
    case llm::MlpKind::GeluTanh:
      s.ffn = FfnKind::Gelu;
      break;
  }
  s.name = !hf.name_or_path.empty() ? hf.name_or_path : !hf.model_type.empty() ? hf.model_type
                                                                                : std::string(to_string(hf.architecture));
  return s;
}

}  // namespace saffire::models
