// Checks saffire's Hugging Face loader and forward pass against hf_reference.py's independent numpy forward
// passes: for each model folder it wrote, FP32 logits (one batched prefill, and prefill + decode steps through
// the KV cache) within 1e-4 of the reference, far from every negative control (the same weights through a
// deliberately wrong pass, so the check would catch that mistake), and in W8A8 the GEMM calls the config
// implies (no Gate for a non-gated MLP, GPT-2's fused c_attn as Q, K and V calls) and logits near FP32.
// Usage: check_hf_reference DIR (the folder hf_reference.py wrote). Exit 0 when every check holds.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "models/engine/cpu_engine.hpp"
#include "models/llm/hf_checkpoint.hpp"
#include "models/llm/transformer.hpp"

namespace fs = std::filesystem;
namespace llm = saffire::models::llm;
using saffire::models::Component;

namespace {

template <typename T>
std::vector<T> read_values(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<T> v(static_cast<std::size_t>(fs::file_size(path)) / sizeof(T));
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
  return v;
}

double max_abs_diff(const float* a, const float* b, std::size_t n) {
  double m = 0.0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(static_cast<double>(a[i]) - b[i]));
  return m;
}

class CountingEngine final : public saffire::models::GemmEngine {
 public:
  std::string_view name() const override { return "counting"; }
  void gemm(const saffire::models::GemmId& id, const saffire::models::Int8GemmArgs& args) override {
    ++calls[id.component];
    m_cpu.gemm(id, args);
  }
  std::map<Component, int> calls;

 private:
  saffire::models::CpuGemmEngine m_cpu{"portable", 1};
};

int failures = 0;
void check(bool ok, const fs::path& model, const char* what, double value) {
  std::printf("%-14s %-48s %.3g %s\n", model.filename().c_str(), what, value, ok ? "ok" : "FAILED");
  failures += ok ? 0 : 1;
}

void check_model(const fs::path& dir) {
  const llm::Checkpoint ckpt = llm::load_hf_checkpoint(dir);
  const llm::LlamaConfig& c = ckpt.config();
  const auto tokens = read_values<int>(dir / "tokens.i32");
  const auto ref = read_values<float>(dir / "logits.f32");
  const auto t = tokens.size(), v = static_cast<std::size_t>(c.vocab_size);
  if (ref.size() != t * v) throw std::runtime_error("logits.f32 does not hold tokens x vocab values");
  double scale = 1.0;
  for (const float x : ref) scale = std::max(scale, static_cast<double>(std::fabs(x)));
  const double tolerance = 1e-4 * scale;

  llm::Transformer fp32(ckpt);
  fp32.begin_sequence(0);
  const auto logits = fp32.prefill(tokens, 0, /*all_logits=*/true);
  const std::vector<float> batched(logits.begin(), logits.end());
  check(max_abs_diff(batched.data(), ref.data(), t * v) <= tolerance, dir, "FP32 prefill |logits - reference|",
        max_abs_diff(batched.data(), ref.data(), t * v));

  // Prefill of 3 tokens, then one decode step per token: the KV cache and the positions past 0.
  const std::size_t first = 3;
  llm::Transformer stepped(ckpt);
  stepped.begin_sequence(0);
  auto last = stepped.prefill(std::span<const int>(tokens.data(), first));
  double worst = max_abs_diff(last.data(), ref.data() + (first - 1) * v, v);
  for (std::size_t i = first; i < t; ++i) {
    last = stepped.decode(tokens[i], static_cast<int>(i));
    worst = std::max(worst, max_abs_diff(last.data(), ref.data() + i * v, v));
  }
  check(worst <= tolerance, dir, "FP32 prefill + decode |logits - reference|", worst);

  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("control_", 0) != 0) continue;
    const auto control = read_values<float>(entry.path());
    const double d = max_abs_diff(batched.data(), control.data(), t * v);
    check(d > 100 * tolerance, dir, ("far from " + name).c_str(), d);
  }

  llm::InferenceOptions w8a8_options;
  w8a8_options.precision = llm::Precision::W8A8;
  CountingEngine engine;
  llm::Transformer w8a8(ckpt, w8a8_options, &engine);
  w8a8.begin_sequence(0);
  const auto q_logits = w8a8.prefill(tokens, 0, true);
  const int per_layer = c.gemms_per_layer(true);
  check(w8a8.call_index() == static_cast<std::int64_t>(c.n_layers) * per_layer, dir, "W8A8 engine calls",
        static_cast<double>(w8a8.call_index()));
  const int gate = engine.calls.count(Component::Gate) ? engine.calls[Component::Gate] : 0;
  check(gate == (c.style.gated() ? c.n_layers : 0), dir, "W8A8 Gate calls", gate);
  bool projections_once = true;
  for (const Component k : {Component::Q, Component::K, Component::V, Component::O, Component::Up, Component::Down}) {
    projections_once = projections_once && engine.calls[k] == c.n_layers;
  }
  check(projections_once, dir, "W8A8 Q, K, V, O, Up, Down once per layer", engine.calls[Component::Q]);
  const double qd = max_abs_diff(q_logits.data(), ref.data(), t * v);
  check(qd <= 0.1 * scale, dir, "W8A8 |logits - reference| (<= 0.1 max)", qd);

  // Loaded with the projections left in the mapping (Conv1D columns, fused c_attn, biases): W8A8 quantized row
  // by row from the file gives bit-identical logits.
  const std::vector<float> copied(q_logits.begin(), q_logits.end());
  const llm::Checkpoint mapped = llm::load_hf_checkpoint(dir, nullptr, llm::WeightStorage::MappedProjections);
  CountingEngine mapped_engine;
  llm::Transformer from_mapping(mapped, w8a8_options, &mapped_engine);
  from_mapping.begin_sequence(0);
  const auto m_logits = from_mapping.prefill(tokens, 0, true);
  const double md = max_abs_diff(m_logits.data(), copied.data(), t * v);
  check(md == 0.0 && !mapped.has_fp32_projections(), dir, "W8A8 mapped projections |logits - FP32 copy's|", md);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: check_hf_reference DIR\n");
    return 2;
  }
  int models = 0;
  try {
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(argv[1])) {
      if (entry.is_directory()) dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) check_model(d), ++models;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "check_hf_reference: %s\n", e.what());
    return 1;
  }
  if (models < 4) std::printf("expected 4 model folders, found %d\n", models);
  return failures == 0 && models >= 4 ? 0 : 1;
}
