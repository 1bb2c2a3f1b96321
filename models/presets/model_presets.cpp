#include "models/presets/model_presets.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace saffire::models {

const std::vector<ModelShape>& model_presets() {
  // Dimensions from the models' published configs (Hugging Face config.json of each release).
  static const std::vector<ModelShape> presets = {
      {"opt-125m", 768, 3072, 12, 12, 12, 50272, FfnKind::ReLU, 0},
      {"opt-1.3b", 2048, 8192, 24, 32, 32, 50272, FfnKind::ReLU, 0},
      {"opt-6.7b", 4096, 16384, 32, 32, 32, 50272, FfnKind::ReLU, 0},
      {"llama-2-7b", 4096, 11008, 32, 32, 32, 32000, FfnKind::SwiGLU, 0},
      {"llama-3-8b", 4096, 14336, 32, 32, 8, 128256, FfnKind::SwiGLU, 0},
      {"stories260k", 64, 172, 5, 8, 4, 512, FfnKind::SwiGLU, 0},
  };
  return presets;
}

const ModelShape& model_preset(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& p : model_presets())
    if (p.name == lower) return p;
  std::string valid;
  for (const auto& p : model_presets()) valid += (valid.empty() ? "" : ", ") + p.name;
  throw std::invalid_argument("unknown model preset '" + std::string(name) + "' (expected one of: " + valid + ")");
}

std::vector<ShapedGemm> model_gemms(const ModelShape& s, std::int64_t seq, Stage stage) {
  if (seq < 1) throw std::invalid_argument("sequence length must be at least 1, got " + std::to_string(seq));
  const bool prefill = stage == Stage::Prefill;
  const std::int64_t m = prefill ? seq : 1;         // query rows
  const std::int64_t keys = prefill ? seq : seq + 1;  // keys attended by the last query
  const std::int64_t hd = s.head_size(), q_out = std::int64_t{s.n_heads} * hd, kv_out = std::int64_t{s.n_kv_heads} * hd;
  const auto pos_begin = static_cast<std::int32_t>(prefill ? 0 : seq);
  const auto pos_end = static_cast<std::int32_t>(prefill ? seq : seq + 1);

  std::vector<ShapedGemm> out;
  std::int64_t call = 0;
  auto add = [&](int layer, Component c, int head, std::int64_t gm, std::int64_t gn, std::int64_t gk) {
    ShapedGemm g;
    g.id = GemmId{layer, c, stage, head, pos_begin, pos_end, call++, 0};
    g.m = gm;
    g.n = gn;
    g.k = gk;
    // Built with append: GCC 12 warns falsely (-Wrestrict) on chained operator+ here.
    g.name.append("L").append(std::to_string(layer)).append(".").append(to_string(c));
    if (head >= 0) g.name.append(".h").append(std::to_string(head));
    out.push_back(std::move(g));
  };
  auto add_projection = [&](const char* name, int layer, std::int64_t gn, std::int64_t gk) {
    ShapedGemm g;
    g.id = GemmId{layer, Component::O, stage, -1, pos_begin, pos_end, call++, 0};
    g.m = m;
    g.n = gn;
    g.k = gk;
    g.name = name;
    out.push_back(std::move(g));
  };
  if (s.embed_dim != 0) add_projection("project_in", 0, s.dim, s.embed_dim);  // (M, E) -> (M, dim)
  for (int l = 0; l < s.n_layers; ++l) {
    add(l, Component::Q, -1, m, q_out, s.dim);
    add(l, Component::K, -1, m, kv_out, s.dim);
    add(l, Component::V, -1, m, kv_out, s.dim);
    for (int h = 0; h < s.n_heads; ++h) add(l, Component::QK, h, m, keys, hd);  // Q_h K_h^T
    for (int h = 0; h < s.n_heads; ++h) add(l, Component::PV, h, m, hd, keys);  // P_h V_h
    add(l, Component::O, -1, m, s.dim, q_out);
    if (s.ffn == FfnKind::SwiGLU) add(l, Component::Gate, -1, m, s.hidden_dim, s.dim);
    add(l, Component::Up, -1, m, s.hidden_dim, s.dim);
    add(l, Component::Down, -1, m, s.dim, s.hidden_dim);
  }
  if (s.embed_dim != 0) add_projection("project_out", s.n_layers - 1, s.embed_dim, s.dim);  // (M, dim) -> (M, E)
  return out;
}

}  // namespace saffire::models
