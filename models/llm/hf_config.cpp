#include "models/llm/hf_config.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/llm/model_files.hpp"

namespace saffire::models::llm {

namespace {

using nlohmann::json;

struct ArchitectureName {
  const char* name;
  HfArchitecture arch;
  const char* model_type;    // the family's model_type
  const char* class_prefix;  // what every class name of the family starts with
};
constexpr std::array<ArchitectureName, 5> kArchitectures = {{
    {"LlamaForCausalLM", HfArchitecture::Llama, "llama", "Llama"},
    {"MistralForCausalLM", HfArchitecture::Mistral, "mistral", "Mistral"},
    {"Qwen2ForCausalLM", HfArchitecture::Qwen2, "qwen2", "Qwen2"},
    {"OPTForCausalLM", HfArchitecture::Opt, "opt", "OPT"},
    {"GPT2LMHeadModel", HfArchitecture::Gpt2, "gpt2", "GPT2"},
}};

std::string known_families() {
  std::string out;
  for (const auto& n : kArchitectures) out += (out.empty() ? "" : ", ") + std::string(n.model_type);
  return out;
}

// Typed access to the keys of one JSON object, each error naming the file and the key.
class KeyReader {
 public:
  KeyReader(const std::filesystem::path& file, const json& object, std::string prefix = {})
      : m_file(file), m_object(object), m_prefix(std::move(prefix)) {}

  bool has(const char* key) const { return m_object.contains(key) && !m_object[key].is_null(); }

  [[noreturn]] void fail(const char* key, const std::string& what) const {
    throw ModelFileError(m_file, "key '" + m_prefix + key + "': " + what);
  }

  int integer(const char* key, int lo, int hi) const {
    if (!has(key)) fail(key, "missing (expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return integer_value(key, m_object[key], lo, hi);
  }
  int integer_or(const char* key, int fallback, int lo, int hi) const { return has(key) ? integer(key, lo, hi) : fallback; }

  double number_or(const char* key, double fallback, double lo, double hi) const {
    if (!has(key)) return fallback;
    const json& v = m_object[key];
    if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
    const double d = v.get<double>();
    if (!(d >= lo && d <= hi)) fail(key, std::to_string(d) + " is out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return d;
  }

  bool boolean_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!m_object[key].is_boolean()) fail(key, "expected true or false, got " + m_object[key].dump());
    return m_object[key].get<bool>();
  }

  std::string string_or(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!m_object[key].is_string()) fail(key, "expected a string, got " + m_object[key].dump());
    return m_object[key].get<std::string>();
  }

  /// A token id: an integer, or a list of them (the first is taken); -1 when absent.
  int token_id(const char* key, int vocab) const {
    if (!has(key)) return -1;
    const json& v = m_object[key];
    if (v.is_array()) {
      if (v.empty()) return -1;
      return integer_value(key, v[0], 0, vocab - 1);
    }
    return integer_value(key, v, 0, vocab - 1);
  }

 private:
  int integer_value(const char* key, const json& v, int lo, int hi) const {
    if (!v.is_number_integer()) fail(key, "expected an integer, got " + v.dump());
    const auto x = v.get<std::int64_t>();
    if (x < lo || x > hi) fail(key, "expected " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(x));
    return static_cast<int>(x);
  }

  const std::filesystem::path& m_file;
  const json& m_object;
  std::string m_prefix;
};

// The heads must divide the width (named by `heads_key`).
void check_heads(const KeyReader& r, const LlamaConfig& c, const char* heads_key) {
  if (c.dim % c.n_heads != 0) {
    r.fail(heads_key, std::to_string(c.n_heads) + " does not divide the width " + std::to_string(c.dim));
  }
}

// The context length: required to load weights (positions, KV cache), not for shapes (topology takes --seq).
int context_length(const KeyReader& r, const char* key, HfConfigUse use) {
  constexpr int kMax = 1 << 17;
  if (use == HfConfigUse::Shapes) return r.has(key) ? std::min(r.integer(key, 1, 1 << 30), kMax) : 2048;
  return r.integer(key, 1, kMax);
}

RopeScaling read_rope_scaling(const std::filesystem::path& file, const json& j) {
  RopeScaling s;
  if (!j.contains("rope_scaling") || j["rope_scaling"].is_null()) return s;
  const json& rs = j["rope_scaling"];
  if (!rs.is_object()) throw ModelFileError(file, "key 'rope_scaling': expected an object or null, got " + rs.dump());
  const KeyReader r(file, rs, "rope_scaling.");
  // Newer configs say rope_type, older ones type.
  const std::string type = r.has("rope_type") ? r.string_or("rope_type", "") : r.string_or("type", "");
  if (type == "default" || type.empty()) return s;
  if (type == "linear") {
    s.kind = RopeScaling::Kind::Linear;
  } else if (type == "llama3") {
    s.kind = RopeScaling::Kind::Llama3;
    s.low_freq_factor = r.number_or("low_freq_factor", 1.0, 1e-6, 1e6);
    s.high_freq_factor = r.number_or("high_freq_factor", 4.0, 1e-6, 1e6);
    s.original_max_position = r.integer("original_max_position_embeddings", 1, 1 << 24);
  } else {
    r.fail("rope_type", "'" + type + "' is not supported (supported: default, linear, llama3)");
  }
  if (!r.has("factor")) r.fail("factor", "missing (expected a number >= 1)");
  s.factor = r.number_or("factor", 1.0, 1.0, 1e6);
  return s;
}

// LLaMA, Mistral, Qwen2: RMSNorm, SwiGLU, rotate-half RoPE.
void read_llama_dimensions(const KeyReader& r, const json& j, HfModelConfig& hf, const std::string& arch,
                           HfConfigUse use) {
  LlamaConfig& c = hf.llama;
  c.dim = r.integer("hidden_size", 1, 1 << 16);
  c.hidden_dim = r.integer("intermediate_size", 1, 1 << 18);
  c.n_layers = r.integer("num_hidden_layers", 1, 1 << 10);
  c.n_heads = r.integer("num_attention_heads", 1, c.dim);
  c.n_kv_heads = r.integer_or("num_key_value_heads", c.n_heads, 1, c.n_heads);
  c.vocab_size = r.integer("vocab_size", 1, 1 << 20);
  c.seq_len = context_length(r, "max_position_embeddings", use);
  c.norm_eps = static_cast<float>(r.number_or("rms_norm_eps", 1e-6, 1e-12, 0.5));
  c.shared_classifier = r.boolean_or("tie_word_embeddings", false);
  c.rope.style = RopeStyle::RotateHalf;
  c.rope.theta = r.number_or("rope_theta", 10000.0, 1.0 + 1e-9, 1e12);
  c.rope.scaling = read_rope_scaling(hf.file, j);
  check_heads(r, c, "num_attention_heads");
  if (c.n_heads % c.n_kv_heads != 0) {
    r.fail("num_key_value_heads", std::to_string(c.n_kv_heads) + " does not divide num_attention_heads = " +
                                      std::to_string(c.n_heads));
  }
  // A head size other than width / heads (Mistral-NeMo: 5120 wide, 32 heads of 128) would give other Q/K/V/O and
  // attention shapes: refused rather than run or timed wrongly.
  if (r.has("head_dim")) {
    const int head_dim = r.integer("head_dim", 1, c.dim);
    if (head_dim != c.dim / c.n_heads) {
      r.fail("head_dim", std::to_string(head_dim) + " differs from the width / heads = " +
                             std::to_string(c.dim / c.n_heads) + " (a separate head size is not supported)");
    }
  }
  const std::string act = r.string_or("hidden_act", "silu");
  if (act != "silu") r.fail("hidden_act", "'" + act + "' is not supported for " + arch + " (expected silu)");
  // Qwen2's q/k/v projections always carry biases; LLaMA's attention_bias puts them on q, k, v and o.
  c.style.qkv_bias = hf.architecture == HfArchitecture::Qwen2;
  if (hf.architecture != HfArchitecture::Qwen2 && r.boolean_or("attention_bias", false)) {
    c.style.qkv_bias = c.style.o_bias = true;
  }
  if (r.boolean_or("mlp_bias", false)) r.fail("mlp_bias", "true is not supported for " + arch);
  // Qwen2 states a window it does not use unless use_sliding_window is true.
  const bool window_used = hf.architecture != HfArchitecture::Qwen2 || r.boolean_or("use_sliding_window", false);
  hf.sliding_window = window_used ? r.integer_or("sliding_window", 0, 0, 1 << 30) : 0;
}

// OPT (Zhang et al. 2022, HF's modeling_opt): LayerNorm (eps 1e-5), learned positions at offset 2, biases on
// every projection, ReLU fc1/fc2, pre-norm unless do_layer_norm_before is false (opt-350m, whose embedding is
// word_embed_proj_dim wide with project_in/out and which has no final norm), tied head.
void read_opt_dimensions(const KeyReader& r, HfModelConfig& hf, HfConfigUse use) {
  LlamaConfig& c = hf.llama;
  c.dim = r.integer("hidden_size", 1, 1 << 16);
  c.hidden_dim = r.integer("ffn_dim", 1, 1 << 18);
  c.n_layers = r.integer("num_hidden_layers", 1, 1 << 10);
  c.n_heads = r.integer("num_attention_heads", 1, c.dim);
  c.n_kv_heads = c.n_heads;
  check_heads(r, c, "num_attention_heads");
  c.vocab_size = r.integer("vocab_size", 1, 1 << 20);
  c.seq_len = context_length(r, "max_position_embeddings", use);
  c.norm_eps = 1e-5f;  // nn.LayerNorm's default: OPT's config has no epsilon
  c.shared_classifier = r.boolean_or("tie_word_embeddings", true);
  BlockStyle& s = c.style;
  s.norm = NormKind::LayerNorm;
  const std::string act = r.string_or("activation_function", "relu");
  if (act == "relu") {
    s.mlp = MlpKind::Relu;
  } else if (act == "gelu_new") {
    s.mlp = MlpKind::GeluTanh;
  } else {
    r.fail("activation_function", "'" + act + "' is not supported for OPTForCausalLM (supported: relu, gelu_new)");
  }
  s.positions = PositionKind::Learned;
  s.position_offset = 2;
  s.position_rows = c.seq_len + 2;
  s.post_norm = !r.boolean_or("do_layer_norm_before", true);
  s.final_norm = !s.post_norm && !r.boolean_or("_remove_final_layer_norm", false);
  const bool bias = r.boolean_or("enable_bias", true);
  s.qkv_bias = s.o_bias = s.mlp_bias = bias;
  if (!r.boolean_or("layer_norm_elementwise_affine", true)) {
    r.fail("layer_norm_elementwise_affine", "false is not supported (the LayerNorms need weights and biases)");
  }
  const int proj = r.integer_or("word_embed_proj_dim", c.dim, 1, 1 << 16);
  s.embed_dim = proj == c.dim ? 0 : proj;
}

// GPT-2 (Radford et al. 2019, HF's modeling_gpt2): LayerNorm, learned positions, biases everywhere, gelu_new
// MLP of n_inner (4 n_embd), tied head.
void read_gpt2_dimensions(const KeyReader& r, HfModelConfig& hf, HfConfigUse use) {
  LlamaConfig& c = hf.llama;
  c.dim = r.integer("n_embd", 1, 1 << 16);
  c.hidden_dim = r.integer_or("n_inner", 4 * c.dim, 1, 1 << 18);
  c.n_layers = r.integer("n_layer", 1, 1 << 10);
  c.n_heads = r.integer("n_head", 1, c.dim);
  c.n_kv_heads = c.n_heads;
  check_heads(r, c, "n_head");
  c.vocab_size = r.integer("vocab_size", 1, 1 << 20);
  c.seq_len = context_length(r, "n_positions", use);
  c.norm_eps = static_cast<float>(r.number_or("layer_norm_epsilon", 1e-5, 1e-12, 0.5));
  c.shared_classifier = true;
  if (!r.boolean_or("tie_word_embeddings", true)) r.fail("tie_word_embeddings", "false is not supported for GPT2LMHeadModel");
  BlockStyle& s = c.style;
  s.norm = NormKind::LayerNorm;
  const std::string act = r.string_or("activation_function", "gelu_new");
  if (act != "gelu_new" && act != "gelu_pytorch_tanh") {
    r.fail("activation_function", "'" + act + "' is not supported for GPT2LMHeadModel (supported: gelu_new)");
  }
  s.mlp = MlpKind::GeluTanh;
  s.positions = PositionKind::Learned;
  s.position_rows = c.seq_len;
  s.qkv_bias = s.o_bias = s.mlp_bias = true;
  if (!r.boolean_or("scale_attn_weights", true)) r.fail("scale_attn_weights", "false is not supported");
  if (r.boolean_or("scale_attn_by_inverse_layer_idx", false)) r.fail("scale_attn_by_inverse_layer_idx", "true is not supported");
}

}  // namespace

std::string_view to_string(HfArchitecture a) {
  for (const auto& n : kArchitectures) {
    if (n.arch == a) return n.name;
  }
  return "unknown";
}

std::string supported_hf_architectures() {
  std::string out;
  for (const auto& n : kArchitectures) out += (out.empty() ? "" : ", ") + std::string(n.name);
  return out;
}

HfModelConfig read_hf_config(const std::filesystem::path& config_json, HfConfigUse use) {
  const std::string text = read_file(config_json);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw ModelFileError(config_json, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw ModelFileError(config_json, "expected a JSON object");
  const KeyReader r(config_json, j);
  HfModelConfig hf;
  hf.file = config_json;

  const bool has_class = j.contains("architectures") && j["architectures"].is_array() &&
                         !j["architectures"].empty() && j["architectures"][0].is_string();
  hf.model_type = r.string_or("model_type", "");
  hf.name_or_path = r.string_or("_name_or_path", "");
  std::string arch = has_class ? j["architectures"][0].get<std::string>() : std::string();
  bool known = false;
  if (use == HfConfigUse::Shapes) {
    // The family from model_type, else from the class name's prefix (any head: ...ForCausalLM, ...LMHeadModel).
    for (const auto& n : kArchitectures) {
      const bool match = !hf.model_type.empty() ? hf.model_type == n.model_type
                                                : has_class && arch.rfind(n.class_prefix, 0) == 0;
      if (match) hf.architecture = n.arch, known = true, arch = n.name;
    }
    if (!known && !hf.model_type.empty()) {
      r.fail("model_type", "'" + hf.model_type + "' is not a known family (known: " + known_families() + ")");
    }
    if (!known && has_class) {
      r.fail("architectures", "'" + arch + "' is not a known family (known: " + known_families() + ")");
    }
    if (!known) {
      r.fail("model_type", "missing, and no architectures list either (known families: " + known_families() + ")");
    }
  } else {
    if (!has_class) {
      r.fail("architectures", "missing (expected a list such as [\"LlamaForCausalLM\"]; supported: " +
                                  supported_hf_architectures() + ")");
    }
    for (const auto& n : kArchitectures) {
      if (arch == n.name) hf.architecture = n.arch, known = true;
    }
    if (!known) r.fail("architectures", "'" + arch + "' is not supported (supported: " + supported_hf_architectures() + ")");
  }
  hf.torch_dtype = r.string_or("torch_dtype", "");

  switch (hf.architecture) {
    case HfArchitecture::Opt:
      read_opt_dimensions(r, hf, use);
      break;
    case HfArchitecture::Gpt2:
      read_gpt2_dimensions(r, hf, use);
      break;
    default:
      read_llama_dimensions(r, j, hf, arch, use);
      break;
  }
  LlamaConfig& c = hf.llama;
  hf.bos_token_id = r.token_id("bos_token_id", c.vocab_size);
  hf.eos_token_id = r.token_id("eos_token_id", c.vocab_size);
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(config_json, std::string("bad model dimensions: ") + e.what());
  }
  return hf;
}

}  // namespace saffire::models::llm
