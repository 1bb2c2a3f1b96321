// Hostile Hugging Face folders: every lie is a ModelFileError naming the file and the key or tensor.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "hf_fixture.hpp"
#include "llm_test_support.hpp"
#include "models/llm/hf_checkpoint.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/safetensors.hpp"

using namespace saffire::models::llm;
using test::ScratchDir;

namespace {

// A safetensors file with a hand-written header and `data_bytes` zero bytes after it.
void write_raw_safetensors(const std::filesystem::path& path, const std::string& header, std::size_t data_bytes,
                           std::uint64_t claimed_len = 0) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::uint64_t n = claimed_len != 0 ? claimed_len : header.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << header << std::string(data_bytes, '\0');
}

// A tiny valid LLaMA config and its tensors (random-free: values i * 0.01).
LlamaConfig tiny_config() {
  LlamaConfig c;
  c.dim = 8, c.hidden_dim = 12, c.n_layers = 2, c.n_heads = 2, c.n_kv_heads = 1, c.vocab_size = 16, c.seq_len = 32;
  c.shared_classifier = true;
  return c;
}

Checkpoint tiny_checkpoint() {
  const LlamaConfig c = tiny_config();
  std::vector<float> w(static_cast<std::size_t>(c.parameter_count()));
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i % 13) * 0.01f;
  return Checkpoint::from_weights(c, w);
}

}  // namespace

TEST_CASE("safetensors headers that lie are rejected naming the file and tensor", "[unit][llm][hf][hostile]") {
  ScratchDir dir("st_hostile");
  const auto f = dir / "x.safetensors";
  const auto open = [&] { SafetensorsFile s(f); };

  write_raw_safetensors(f, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8);
  SafetensorsFile ok(f);
  REQUIRE(ok.find("a") != nullptr);
  CHECK(ok.find("a")->elements == 2);

  std::ofstream(f, std::ios::binary | std::ios::trunc) << "abc";
  test::check_error(open, {"x.safetensors", "shorter than the 8-byte header length"});
  write_raw_safetensors(f, "{}", 0, 1ull << 40);
  test::check_error(open, {"x.safetensors", "header length 1099511627776 is larger than the file"});
  write_raw_safetensors(f, "{not json", 0);
  test::check_error(open, {"x.safetensors", "not valid JSON"});
  write_raw_safetensors(f, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}})", 8);
  test::check_error(open, {"tensor 'a'", "outside the data (8 bytes after the header)"});
  write_raw_safetensors(f, R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8);
  test::check_error(open, {"tensor 'a'", "span 8 bytes but dtype F32 and shape [3] need 12"});
  write_raw_safetensors(f, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}})", 8);
  test::check_error(open, {"tensors 'a' and 'b' overlap"});
  write_raw_safetensors(f, R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", 8);
  test::check_error(open, {"tensor 'a'", "unknown dtype 'Q4'", "BF16"});
  write_raw_safetensors(f, R"({"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,8]}})", 8);
  test::check_error(open, {"tensor 'a'", "too many"});
  write_raw_safetensors(f, R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8);
  test::check_error(open, {"tensor 'a'", "not a non-negative integer"});
  write_raw_safetensors(f, R"({"a":{"dtype":"F32","shape":[2]}})", 8);
  test::check_error(open, {"tensor 'a'", "data_offsets"});
  write_raw_safetensors(f, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8);
  test::check_error(open, {"tensor 'a'", "outside the data"});

  // A valid I8 tensor cannot be read as weights; a NaN weight is named with its index.
  write_raw_safetensors(f, R"({"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}})", 2);
  SafetensorsFile i8(f);
  std::vector<float> out(2);
  test::check_error([&] { tensor_to_f32(*i8.find("a"), f, out); }, {"tensor 'a'", "dtype I8", "F32, F16 or BF16"});
  {
    std::ofstream o(f, std::ios::binary | std::ios::trunc);
    const std::string h = R"({"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})";
    const std::uint64_t n = h.size();
    o.write(reinterpret_cast<const char*>(&n), 8);
    const std::uint16_t vals[2] = {0x3F80, 0x7FC0};  // 1.0, NaN
    o << h;
    o.write(reinterpret_cast<const char*>(vals), 4);
  }
  SafetensorsFile nan(f);
  test::check_error([&] { tensor_to_f32(*nan.find("a"), f, out); }, {"tensor 'a'", "non-finite value at index 1"});
}

TEST_CASE("bad Hugging Face folders name the file and the key or tensor", "[unit][llm][hf][hostile]") {
  ScratchDir dir("hf_hostile");
  const auto m = dir / "m";
  const Checkpoint ckpt = tiny_checkpoint();
  const auto reset = [&] {
    std::filesystem::remove_all(m);
    test::write_llama_hf_folder(m, ckpt, "F32", nullptr);
  };
  const auto load = [&] { load_hf_checkpoint(m); };
  reset();
  REQUIRE_NOTHROW(load_hf_checkpoint(m));

  std::filesystem::remove(m / "config.json");
  test::check_error(load, {"config.json", "missing"});

  reset();
  auto cfg = test::llama_hf_config(ckpt.config());
  cfg["architectures"] = {"BertForMaskedLM"};
  test::write_json(m / "config.json", cfg);
  test::check_error(load, {"config.json", "'architectures'", "BertForMaskedLM", "LlamaForCausalLM", "MistralForCausalLM"});

  cfg = test::llama_hf_config(ckpt.config());
  cfg.erase("hidden_size");
  test::write_json(m / "config.json", cfg);
  test::check_error(load, {"config.json", "key 'hidden_size': missing"});

  cfg = test::llama_hf_config(ckpt.config());
  cfg["num_hidden_layers"] = "two";
  test::write_json(m / "config.json", cfg);
  test::check_error(load, {"config.json", "key 'num_hidden_layers'", "expected an integer"});

  cfg = test::llama_hf_config(ckpt.config());
  cfg["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  test::write_json(m / "config.json", cfg);
  test::check_error(load, {"config.json", "rope_scaling.rope_type", "yarn", "llama3"});

  cfg = test::llama_hf_config(ckpt.config());
  cfg["hidden_act"] = "gelu";
  test::write_json(m / "config.json", cfg);
  test::check_error(load, {"config.json", "hidden_act", "gelu"});

  std::ofstream(m / "config.json", std::ios::trunc) << "{\"architectures\": [";
  test::check_error(load, {"config.json", "not valid JSON"});

  // A config whose dimensions do not match the tensors: the tensor, its shape and the expected one are named.
  reset();
  cfg = test::llama_hf_config(ckpt.config());
  cfg["intermediate_size"] = 24;
  test::write_json(m / "config.json", cfg);
  test::check_error(load, {"model.safetensors", "tensor 'model.layers.0.mlp.gate_proj.weight' has shape [12, 8]", "[24, 8]"});
  // A huge config fails on the first tensor's shape, not on an allocation.
  cfg = test::llama_hf_config(ckpt.config());
  cfg["hidden_size"] = 65536, cfg["num_attention_heads"] = 64, cfg["num_key_value_heads"] = 64;
  cfg["intermediate_size"] = 262144, cfg["num_hidden_layers"] = 1024;
  test::write_json(m / "config.json", cfg);
  test::check_error(load, {"tensor 'model.embed_tokens.weight' has shape [16, 8]", "[16, 65536]"});

  // A missing tensor; untied embeddings need lm_head.
  reset();
  cfg = test::llama_hf_config(ckpt.config());
  cfg["tie_word_embeddings"] = false;
  test::write_json(m / "config.json", cfg);
  test::check_error(load, {"model.safetensors", "tensor 'lm_head.weight' is missing", "[16, 8]"});

  // Truncated weights.
  reset();
  const auto size = std::filesystem::file_size(m / "model.safetensors");
  std::filesystem::resize_file(m / "model.safetensors", size - 4);
  test::check_error(load, {"model.safetensors", "outside the data"});
  std::filesystem::resize_file(m / "model.safetensors", 20);
  test::check_error(load, {"model.safetensors", "larger than the file"});
  std::filesystem::remove(m / "model.safetensors");
  test::check_error(load, {"no weights", "model.safetensors"});

  // The folder without tokenizer.json, through load_language_model.
  reset();
  test::check_error([&] { load_language_model(m.string()); }, {"tokenizer.json", "missing", "--tokenizer"});
}
