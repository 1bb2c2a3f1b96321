#pragma once
// Tiny Hugging Face folders of the non-LLaMA architectures, written by the tests: Qwen2ForCausalLM (q/k/v biases,
// untied head), OPTForCausalLM (pre-LN, or opt-350m's post-LN with project_in/out) and GPT2LMHeadModel (Conv1D
// weights stored (in, out), fused c_attn). Tensor names and shapes as Hugging Face's modeling_qwen2.py,
// modeling_opt.py and modeling_gpt2.py store them; values are a fixed ramp (the tests here check loading, not
// the forward pass: hf_reference.py does that).
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hf_fixture.hpp"

namespace saffire::models::llm::test {

struct HfArchFixture {
  std::string label;  // "qwen2", "opt", "opt-350m", "gpt2"
  nlohmann::json config;
  std::vector<FixtureTensor> tensors;

  void add(const std::string& name, std::vector<std::int64_t> shape) {
    std::int64_t n = 1;
    for (const std::int64_t s : shape) n *= s;
    std::vector<float> v(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.01f;
    tensors.push_back({name, std::move(shape), std::move(v)});
  }
  FixtureTensor* tensor(const std::string& name) {
    for (auto& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  }
  /// config.json and model.safetensors (F32) into `dir` (created).
  void write(const std::filesystem::path& dir) const {
    std::filesystem::create_directories(dir);
    write_json(dir / "config.json", config);
    write_safetensors(dir / "model.safetensors", tensors, "F32");
  }
};

inline HfArchFixture qwen2_fixture() {
  const int d = 16, hidden = 24, layers = 2, heads = 4, kv_heads = 2, vocab = 20, hd = d / heads;
  HfArchFixture f{"qwen2",
                  {{"architectures", {"Qwen2ForCausalLM"}}, {"model_type", "qwen2"}, {"hidden_size", d},
                   {"intermediate_size", hidden}, {"num_hidden_layers", layers}, {"num_attention_heads", heads},
                   {"num_key_value_heads", kv_heads}, {"vocab_size", vocab}, {"max_position_embeddings", 32},
                   {"rms_norm_eps", 1e-6}, {"rope_theta", 1000000.0}, {"tie_word_embeddings", false},
                   {"hidden_act", "silu"}},
                  {}};
  f.add("model.embed_tokens.weight", {vocab, d});
  for (int l = 0; l < layers; ++l) {
    const std::string a = "model.layers." + std::to_string(l) + ".";
    f.add(a + "input_layernorm.weight", {d});
    f.add(a + "post_attention_layernorm.weight", {d});
    f.add(a + "self_attn.q_proj.weight", {d, d});
    f.add(a + "self_attn.q_proj.bias", {d});
    f.add(a + "self_attn.k_proj.weight", {kv_heads * hd, d});
    f.add(a + "self_attn.k_proj.bias", {kv_heads * hd});
    f.add(a + "self_attn.v_proj.weight", {kv_heads * hd, d});
    f.add(a + "self_attn.v_proj.bias", {kv_heads * hd});
    f.add(a + "self_attn.o_proj.weight", {d, d});
    f.add(a + "mlp.gate_proj.weight", {hidden, d});
    f.add(a + "mlp.up_proj.weight", {hidden, d});
    f.add(a + "mlp.down_proj.weight", {d, hidden});
  }
  f.add("model.norm.weight", {d});
  f.add("lm_head.weight", {vocab, d});
  return f;
}

/// OPT; post_norm: opt-350m's layout (do_layer_norm_before false, word_embed_proj_dim 8 < hidden_size 16,
/// project_in/out, no final norm).
inline HfArchFixture opt_fixture(bool post_norm) {
  const int d = 16, hidden = 32, layers = 2, heads = 4, vocab = 20, max_pos = 24, e = post_norm ? 8 : d;
  HfArchFixture f{post_norm ? "opt-350m" : "opt",
                  {{"architectures", {"OPTForCausalLM"}}, {"model_type", "opt"}, {"hidden_size", d},
                   {"ffn_dim", hidden}, {"num_hidden_layers", layers}, {"num_attention_heads", heads},
                   {"vocab_size", vocab}, {"max_position_embeddings", max_pos}, {"activation_function", "relu"},
                   {"do_layer_norm_before", !post_norm}, {"word_embed_proj_dim", e}, {"enable_bias", true}},
                  {}};
  const std::string r = "model.decoder.";
  f.add(r + "embed_tokens.weight", {vocab, e});
  f.add(r + "embed_positions.weight", {max_pos + 2, d});  // OPTLearnedPositionalEmbedding: offset 2
  if (post_norm) {
    f.add(r + "project_in.weight", {d, e});
    f.add(r + "project_out.weight", {e, d});
  } else {
    f.add(r + "final_layer_norm.weight", {d});
    f.add(r + "final_layer_norm.bias", {d});
  }
  for (int l = 0; l < layers; ++l) {
    const std::string a = r + "layers." + std::to_string(l) + ".";
    for (const char* norm : {"self_attn_layer_norm", "final_layer_norm"}) {
      f.add(a + norm + ".weight", {d});
      f.add(a + norm + ".bias", {d});
    }
    for (const char* p : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      f.add(a + "self_attn." + p + ".weight", {d, d});
      f.add(a + "self_attn." + p + ".bias", {d});
    }
    f.add(a + "fc1.weight", {hidden, d});
    f.add(a + "fc1.bias", {hidden});
    f.add(a + "fc2.weight", {d, hidden});
    f.add(a + "fc2.bias", {d});
  }
  return f;
}

inline HfArchFixture gpt2_fixture() {
  const int d = 16, layers = 2, heads = 4, vocab = 20, n_pos = 24;
  HfArchFixture f{"gpt2",
                  {{"architectures", {"GPT2LMHeadModel"}}, {"model_type", "gpt2"}, {"n_embd", d},
                   {"n_inner", nullptr}, {"n_layer", layers}, {"n_head", heads}, {"vocab_size", vocab},
                   {"n_positions", n_pos}, {"layer_norm_epsilon", 1e-5}, {"activation_function", "gelu_new"}},
                  {}};
  const std::string r = "transformer.";
  f.add(r + "wte.weight", {vocab, d});
  f.add(r + "wpe.weight", {n_pos, d});
  for (int l = 0; l < layers; ++l) {
    const std::string a = r + "h." + std::to_string(l) + ".";
    for (const char* norm : {"ln_1", "ln_2"}) {
      f.add(a + norm + ".weight", {d});
      f.add(a + norm + ".bias", {d});
    }
    // Conv1D: weight (in, out).
    f.add(a + "attn.c_attn.weight", {d, 3 * d});
    f.add(a + "attn.c_attn.bias", {3 * d});
    f.add(a + "attn.c_proj.weight", {d, d});
    f.add(a + "attn.c_proj.bias", {d});
    f.add(a + "mlp.c_fc.weight", {d, 4 * d});
    f.add(a + "mlp.c_fc.bias", {4 * d});
    f.add(a + "mlp.c_proj.weight", {4 * d, d});
    f.add(a + "mlp.c_proj.bias", {d});
  }
  f.add(r + "ln_f.weight", {d});
  f.add(r + "ln_f.bias", {d});
  return f;
}

}  // namespace saffire::models::llm::test
