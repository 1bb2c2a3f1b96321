#include "models/llm/synthetic_hf_model.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/llm/config.hpp"
#include "models/llm/model_files.hpp"

namespace saffire::models::llm {

namespace fs = std::filesystem;

SyntheticHfModel gpt2_small_shape() {
  SyntheticHfModel m;
  m.architecture = HfArchitecture::Gpt2;
  m.dim = 768;
  m.hidden_dim = 3072;
  m.n_layers = 12;
  m.n_heads = m.n_kv_heads = 12;
  m.vocab_size = 50257;
  m.seq_len = 1024;
  m.tied = true;
  return m;
}

SyntheticHfModel tinyllama_shape() {
  SyntheticHfModel m;
  m.architecture = HfArchitecture::Llama;
  m.dim = 2048;
  m.hidden_dim = 5632;
  m.n_layers = 22;
  m.n_heads = 32;
  m.n_kv_heads = 4;
  m.vocab_size = 32000;
  m.seq_len = 2048;
  m.tied = false;
  return m;
}

namespace {

std::int64_t dtype_bytes(TensorDtype t) {
  switch (t) {
    case TensorDtype::F32:
      return 4;
    case TensorDtype::F16:
    case TensorDtype::BF16:
      return 2;
    default:
      throw std::invalid_argument("synthetic model: dtype " + std::string(to_string(t)) + " (expected F32, F16, BF16)");
  }
}

std::int64_t elements(const SyntheticTensor& t) {
  std::int64_t n = 1;
  for (const std::int64_t s : t.shape) n *= s;
  return n;
}

// Matrices (out, in) drawn with scale 1/sqrt(in) keep activations of order one through the layers.
SyntheticTensor matrix(std::string name, std::int64_t rows, std::int64_t cols, std::int64_t fan_in) {
  return {std::move(name), {rows, cols}, 1.0f / std::sqrt(static_cast<float>(fan_in)), 0.0f};
}
SyntheticTensor norm(std::string name, std::int64_t n) { return {std::move(name), {n}, 0.1f, 1.0f}; }
SyntheticTensor bias(std::string name, std::int64_t n) { return {std::move(name), {n}, 0.02f, 0.0f}; }

std::vector<SyntheticTensor> llama_tensors(const SyntheticHfModel& m) {
  const std::int64_t d = m.dim, h = m.hidden_dim, kv = static_cast<std::int64_t>(m.n_kv_heads) * (m.dim / m.n_heads);
  std::vector<SyntheticTensor> t;
  t.push_back({"model.embed_tokens.weight", {m.vocab_size, d}, 1.0f, 0.0f});
  for (int l = 0; l < m.n_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    t.push_back(norm(p + "input_layernorm.weight", d));
    t.push_back(matrix(p + "self_attn.q_proj.weight", d, d, d));
    t.push_back(matrix(p + "self_attn.k_proj.weight", kv, d, d));
    t.push_back(matrix(p + "self_attn.v_proj.weight", kv, d, d));
    t.push_back(matrix(p + "self_attn.o_proj.weight", d, d, d));
    t.push_back(norm(p + "post_attention_layernorm.weight", d));
    t.push_back(matrix(p + "mlp.gate_proj.weight", h, d, d));
    t.push_back(matrix(p + "mlp.up_proj.weight", h, d, d));
    t.push_back(matrix(p + "mlp.down_proj.weight", d, h, h));
  }
  t.push_back(norm("model.norm.weight", d));
  if (!m.tied) t.push_back(matrix("lm_head.weight", m.vocab_size, d, d));
  return t;
}

// GPT-2's Conv1D weights are stored (in, out).
std::vector<SyntheticTensor> gpt2_tensors(const SyntheticHfModel& m) {
  const std::int64_t d = m.dim, h = m.hidden_dim;
  std::vector<SyntheticTensor> t;
  t.push_back({"transformer.wte.weight", {m.vocab_size, d}, 1.0f, 0.0f});
  t.push_back({"transformer.wpe.weight", {m.seq_len, d}, 0.1f, 0.0f});
  for (int l = 0; l < m.n_layers; ++l) {
    const std::string p = "transformer.h." + std::to_string(l) + ".";
    t.push_back(norm(p + "ln_1.weight", d));
    t.push_back(bias(p + "ln_1.bias", d));
    t.push_back(matrix(p + "attn.c_attn.weight", d, 3 * d, d));
    t.push_back(bias(p + "attn.c_attn.bias", 3 * d));
    t.push_back(matrix(p + "attn.c_proj.weight", d, d, d));
    t.push_back(bias(p + "attn.c_proj.bias", d));
    t.push_back(norm(p + "ln_2.weight", d));
    t.push_back(bias(p + "ln_2.bias", d));
    t.push_back(matrix(p + "mlp.c_fc.weight", d, h, d));
    t.push_back(bias(p + "mlp.c_fc.bias", h));
    t.push_back(matrix(p + "mlp.c_proj.weight", h, d, h));
    t.push_back(bias(p + "mlp.c_proj.bias", d));
  }
  t.push_back(norm("transformer.ln_f.weight", d));
  t.push_back(bias("transformer.ln_f.bias", d));
  return t;
}

void check_model(const SyntheticHfModel& m) {
  if (m.architecture != HfArchitecture::Llama && m.architecture != HfArchitecture::Gpt2) {
    throw std::invalid_argument("synthetic model: architecture " + std::string(to_string(m.architecture)) +
                                " (expected LlamaForCausalLM or GPT2LMHeadModel)");
  }
  (void)dtype_bytes(m.dtype);
  LlamaConfig c;
  c.dim = m.dim;
  c.hidden_dim = m.hidden_dim;
  c.n_layers = m.n_layers;
  c.n_heads = m.n_heads;
  c.n_kv_heads = m.architecture == HfArchitecture::Gpt2 ? m.n_heads : m.n_kv_heads;
  c.vocab_size = m.vocab_size;
  c.seq_len = m.seq_len;
  c.validate();
}

nlohmann::json config_json(const SyntheticHfModel& m) {
  const std::string dtype = m.dtype == TensorDtype::F32 ? "float32" : m.dtype == TensorDtype::F16 ? "float16" : "bfloat16";
  if (m.architecture == HfArchitecture::Gpt2) {
    return {{"architectures", {"GPT2LMHeadModel"}}, {"model_type", "gpt2"}, {"n_embd", m.dim},
            {"n_inner", m.hidden_dim}, {"n_layer", m.n_layers}, {"n_head", m.n_heads},
            {"vocab_size", m.vocab_size}, {"n_positions", m.seq_len}, {"layer_norm_epsilon", 1e-5},
            {"activation_function", "gelu_new"}, {"torch_dtype", dtype}};
  }
  return {{"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"}, {"hidden_size", m.dim},
          {"intermediate_size", m.hidden_dim}, {"num_hidden_layers", m.n_layers},
          {"num_attention_heads", m.n_heads}, {"num_key_value_heads", m.n_kv_heads},
          {"vocab_size", m.vocab_size}, {"max_position_embeddings", m.seq_len}, {"rms_norm_eps", 1e-5},
          {"rope_theta", 10000.0}, {"hidden_act", "silu"}, {"tie_word_embeddings", m.tied},
          {"bos_token_id", 1}, {"eos_token_id", 2}, {"torch_dtype", dtype}};
}

// Four uniform values in [-1, 1) from one Philox block: (seed, tensor, block of four elements).
r123::Philox4x32::ctr_type random_block(const SyntheticHfModel& m, std::size_t tensor, std::int64_t block) {
  const r123::Philox4x32 rng;
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(m.seed), static_cast<std::uint32_t>(m.seed >> 32)}};
  const r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                                           static_cast<std::uint32_t>(tensor), 0x5E7Du}};
  return rng(ctr, key);
}

float to_unit(std::uint32_t bits) { return static_cast<float>(static_cast<std::int32_t>(bits)) * 0x1p-31f; }

}  // namespace

std::vector<SyntheticTensor> synthetic_tensors(const SyntheticHfModel& m) {
  check_model(m);
  return m.architecture == HfArchitecture::Gpt2 ? gpt2_tensors(m) : llama_tensors(m);
}

float synthetic_value(const SyntheticHfModel& m, const SyntheticTensor& t, std::size_t tensor, std::int64_t index) {
  return t.center + t.scale * to_unit(random_block(m, tensor, index / 4).v[index % 4]);
}

std::int64_t synthetic_data_bytes(const SyntheticHfModel& m) {
  std::int64_t n = 0;
  for (const auto& t : synthetic_tensors(m)) n += elements(t);
  return n * dtype_bytes(m.dtype);
}

void write_synthetic_hf_model(const fs::path& dir, const SyntheticHfModel& m) {
  const std::vector<SyntheticTensor> tensors = synthetic_tensors(m);
  const std::int64_t width = dtype_bytes(m.dtype);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw ModelFileError(dir, "cannot create the folder: " + ec.message());
  {
    std::ofstream cfg(dir / "config.json", std::ios::trunc);
    cfg << config_json(m).dump(2) << '\n';
    if (!cfg) throw ModelFileError(dir / "config.json", "write failed");
  }
  nlohmann::json header = nlohmann::json::object();
  std::int64_t at = 0;
  for (const auto& t : tensors) {
    const std::int64_t bytes = elements(t) * width;
    header[t.name] = {{"dtype", std::string(to_string(m.dtype))}, {"shape", t.shape}, {"data_offsets", {at, at + bytes}}};
    at += bytes;
  }
  header["__metadata__"] = {{"format", "pt"}};
  std::string h = header.dump();
  while (h.size() % 8 != 0) h += ' ';  // the format pads the header with spaces
  const fs::path file = dir / "model.safetensors";
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  const std::uint64_t n = h.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << h;
  // Streamed in chunks: a 2.2 GB model needs a few MiB of buffer, not its size.
  constexpr std::int64_t kChunk = 1 << 20;
  std::vector<char> buf(static_cast<std::size_t>(kChunk * width));
  for (std::size_t ti = 0; ti < tensors.size(); ++ti) {
    const SyntheticTensor& t = tensors[ti];
    const std::int64_t count = elements(t);
    for (std::int64_t begin = 0; begin < count; begin += kChunk) {
      const std::int64_t len = std::min(kChunk, count - begin);
      char* p = buf.data();
      r123::Philox4x32::ctr_type bits{};
      for (std::int64_t i = begin; i < begin + len; ++i, p += width) {
        if (i % 4 == 0) bits = random_block(m, ti, i / 4);  // begin is a multiple of 4: one block per 4 values
        const float v = t.center + t.scale * to_unit(bits.v[i % 4]);
        if (m.dtype == TensorDtype::F32) {
          std::memcpy(p, &v, 4);
        } else {
          const std::uint16_t b = m.dtype == TensorDtype::F16 ? f32_to_f16(v) : f32_to_bf16(v);
          std::memcpy(p, &b, 2);
        }
      }
      out.write(buf.data(), static_cast<std::streamsize>(len * width));
    }
  }
  out.close();
  if (!out) throw ModelFileError(file, "write failed (disk full?)");
}

}  // namespace saffire::models::llm
