#include "models/presets/hf_model_shape.hpp"

#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"

namespace saffire::models {
namespace {

using nlohmann::json;

// Bounds as the llama2.c/HF loaders take them (models/llm/config.hpp): wide enough for any released model,
// small enough that shape products stay far from int64 overflow.
constexpr std::int64_t kMaxWidth = 65536, kMaxHidden = 262144, kMaxLayers = 1024, kMaxVocab = 1 << 20;

struct KeyReader {
  const json& j;
  std::string file;

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw ConfigError(file + ": key '" + key + "': " + problem);
  }
  std::optional<std::int64_t> optional_int(const std::string& key, std::int64_t max) const {
    if (!j.contains(key) || j[key].is_null()) return std::nullopt;
    if (!j[key].is_number_integer()) fail(key, "expected an integer, got " + j[key].dump());
    const auto v = j[key].get<std::int64_t>();
    if (v < 1 || v > max) fail(key, "expected 1.." + std::to_string(max) + ", got " + std::to_string(v));
    return v;
  }
  std::int64_t required_int(const std::string& key, std::int64_t max) const {
    const auto v = optional_int(key, max);
    if (!v) fail(key, "missing (a " + family_hint() + " config.json names it)");
    return *v;
  }
  std::string family_hint() const { return j.value("model_type", std::string("model")); }
};

// model_type, or the family an architectures[0] name such as "Qwen2ForCausalLM" belongs to.
std::string family_of(const KeyReader& r) {
  if (r.j.contains("model_type") && r.j["model_type"].is_string()) return r.j["model_type"].get<std::string>();
  if (r.j.contains("architectures") && r.j["architectures"].is_array() && !r.j["architectures"].empty() &&
      r.j["architectures"][0].is_string()) {
    const std::string a = r.j["architectures"][0].get<std::string>();
    for (const char* f : {"Llama", "Mistral", "Qwen2", "OPT", "GPT2"})
      if (a.rfind(f, 0) == 0) {
        std::string lower(f);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return lower;
      }
    r.fail("architectures", "'" + a + "' is not a known family (known: " + kHfShapeFamilies + ")");
  }
  r.fail("model_type", std::string("missing, and no architectures list either (known families: ") +
                           kHfShapeFamilies + ")");
}

int as_int(std::int64_t v) { return static_cast<int>(v); }  // every value is bounded above by 2^20

}  // namespace

ModelShape shape_from_hf_config(const std::filesystem::path& config_json) {
  const std::string file = config_json.string();
  const std::string text = read_text_file(config_json, "model config", std::int64_t{16} << 20);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(file + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw ConfigError(file + ": expected a JSON object (a Hugging Face config.json)");
  const KeyReader r{j, file};
  const std::string family = family_of(r);

  if (family != "llama" && family != "mistral" && family != "qwen2" && family != "opt" && family != "gpt2")
    r.fail("model_type", "'" + family + "' is not a known family (known: " + kHfShapeFamilies + ")");
  ModelShape s;
  s.vocab_size = as_int(r.required_int("vocab_size", kMaxVocab));
  if (family == "llama" || family == "mistral" || family == "qwen2") {
    s.dim = as_int(r.required_int("hidden_size", kMaxWidth));
    s.hidden_dim = as_int(r.required_int("intermediate_size", kMaxHidden));
    s.n_layers = as_int(r.required_int("num_hidden_layers", kMaxLayers));
    s.n_heads = as_int(r.required_int("num_attention_heads", kMaxWidth));
    s.n_kv_heads = as_int(r.optional_int("num_key_value_heads", kMaxWidth).value_or(s.n_heads));
    s.ffn = FfnKind::SwiGLU;
    if (s.n_heads % s.n_kv_heads != 0)
      r.fail("num_key_value_heads", std::to_string(s.n_kv_heads) + " does not divide num_attention_heads = " +
                                        std::to_string(s.n_heads));
  } else if (family == "opt") {
    s.dim = as_int(r.required_int("hidden_size", kMaxWidth));
    s.hidden_dim = as_int(r.required_int("ffn_dim", kMaxHidden));
    s.n_layers = as_int(r.required_int("num_hidden_layers", kMaxLayers));
    s.n_heads = as_int(r.required_int("num_attention_heads", kMaxWidth));
    s.n_kv_heads = s.n_heads;
    s.ffn = FfnKind::ReLU;
  } else {  // gpt2
    s.dim = as_int(r.required_int("n_embd", kMaxWidth));
    s.hidden_dim = as_int(r.optional_int("n_inner", kMaxHidden).value_or(4 * std::int64_t{s.dim}));  // HF's default
    s.n_layers = as_int(r.required_int("n_layer", kMaxLayers));
    s.n_heads = as_int(r.required_int("n_head", kMaxWidth));
    s.n_kv_heads = s.n_heads;
    s.ffn = FfnKind::Gelu;
  }
  const char* heads_key = family == "gpt2" ? "n_head" : "num_attention_heads";
  if (s.dim % s.n_heads != 0)
    r.fail(heads_key, std::to_string(s.n_heads) + " does not divide the width " + std::to_string(s.dim));
  // ModelShape derives the head size as width / heads; a config whose head_dim differs (Mistral-NeMo: 5120 wide,
  // 32 heads of 128) has other Q/K/V/O and attention shapes, so it is refused rather than timed wrongly.
  if (const auto head_dim = r.optional_int("head_dim", kMaxWidth); head_dim && *head_dim != s.head_size())
    r.fail("head_dim", std::to_string(*head_dim) + " differs from the width / heads = " + std::to_string(s.head_size()) +
                           " (a separate head size is not supported)");
  s.name = j.contains("_name_or_path") && j["_name_or_path"].is_string() && !j["_name_or_path"].get<std::string>().empty()
               ? j["_name_or_path"].get<std::string>()
               : family;
  return s;
}

}  // namespace saffire::models
