// GEMM shapes from a Hugging Face config.json (topology --model-config): the published configs' key names
// per family, shapes derived by hand, and bad configs named by file and key.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "tests/test_support.hpp"

#include "models/presets/hf_model_shape.hpp"

using namespace saffire;
using Catch::Contains;
using saffire::test::error_of;

namespace {

std::filesystem::path write_config(const std::string& name, const std::string& json) {
  const auto dir = std::filesystem::temp_directory_path() / ("saffire_hf_shape_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << json;
  return path;
}

struct Expected {
  std::int64_t m, n, k;
};

void check_gemm(const models::ShapedGemm& g, const std::string& name, Expected e) {
  INFO(g.name);
  CHECK(g.name == name);
  CHECK(g.m == e.m);
  CHECK(g.n == e.n);
  CHECK(g.k == e.k);
}

}  // namespace

TEST_CASE("A config.json with LLaMA-2-7B's numbers gives the llama-2-7b preset's GEMMs", "[unit][models]") {
  // The keys of meta-llama/Llama-2-7b-hf's config.json (subset: what shapes depend on, plus noise keys).
  const auto path = write_config("llama.json", R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
      "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
      "num_key_value_heads": 32, "vocab_size": 32000, "rms_norm_eps": 1e-05, "torch_dtype": "float16"})");
  const models::ModelShape s = models::shape_from_hf_config(path);
  const models::ModelShape& p = models::model_preset("llama-2-7b");
  CHECK(s.dim == p.dim);
  CHECK(s.hidden_dim == p.hidden_dim);
  CHECK(s.n_layers == p.n_layers);
  CHECK(s.n_heads == p.n_heads);
  CHECK(s.n_kv_heads == p.n_kv_heads);
  CHECK(s.vocab_size == p.vocab_size);
  CHECK(s.ffn == p.ffn);
  for (auto stage : {models::Stage::Prefill, models::Stage::Decode}) {
    const auto a = models::model_gemms(s, 64, stage), b = models::model_gemms(p, 64, stage);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) check_gemm(a[i], b[i].name, {b[i].m, b[i].n, b[i].k});
  }
}

TEST_CASE("OPT, GPT-2 and Qwen2 configs give hand-derived GEMM shapes", "[unit][models]") {
  SECTION("OPT: hidden_size, ffn_dim, non-gated fc1/fc2 as Up/Down") {
    const auto path = write_config("opt.json", R"({"model_type": "opt", "hidden_size": 64, "ffn_dim": 256,
        "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 1000})");
    const auto g = models::model_gemms(models::shape_from_hf_config(path), 8, models::Stage::Prefill);
    REQUIRE(g.size() == 2 * (6 + 2 * 4));  // Q K V, 4 QK, 4 PV, O, Up, Down per layer
    check_gemm(g[0], "L0.q", {8, 64, 64});
    check_gemm(g[1], "L0.k", {8, 64, 64});
    check_gemm(g[3], "L0.qk.h0", {8, 8, 16});   // head size 64 / 4
    check_gemm(g[7], "L0.pv.h0", {8, 16, 8});
    check_gemm(g[11], "L0.o", {8, 64, 64});
    check_gemm(g[12], "L0.up", {8, 256, 64});
    check_gemm(g[13], "L0.down", {8, 64, 256});
    check_gemm(g[14], "L1.q", {8, 64, 64});
  }
  SECTION("GPT-2: n_embd, n_layer, n_head; n_inner absent means 4 x n_embd") {
    const auto path = write_config("gpt2.json", R"({"architectures": ["GPT2LMHeadModel"], "n_embd": 48,
        "n_layer": 1, "n_head": 3, "n_inner": null, "vocab_size": 50257})");
    const models::ModelShape s = models::shape_from_hf_config(path);
    CHECK(s.ffn == models::FfnKind::Gelu);
    const auto g = models::model_gemms(s, 5, models::Stage::Decode);  // one token attending 6 keys
    REQUIRE(g.size() == 6 + 2 * 3);
    check_gemm(g[3], "L0.qk.h0", {1, 6, 16});
    check_gemm(g[6], "L0.pv.h0", {1, 16, 6});
    check_gemm(g[10], "L0.up", {1, 192, 48});
    check_gemm(g[11], "L0.down", {1, 48, 192});
  }
  SECTION("Qwen2: grouped-query attention and a gated MLP") {
    const auto path = write_config("qwen2.json", R"({"architectures": ["Qwen2ForCausalLM"], "hidden_size": 64,
        "intermediate_size": 160, "num_hidden_layers": 1, "num_attention_heads": 8, "num_key_value_heads": 2,
        "vocab_size": 151936})");
    const auto g = models::model_gemms(models::shape_from_hf_config(path), 4, models::Stage::Prefill);
    REQUIRE(g.size() == 7 + 2 * 8);
    check_gemm(g[0], "L0.q", {4, 64, 64});
    check_gemm(g[1], "L0.k", {4, 16, 64});  // 2 KV heads of 8
    check_gemm(g[2], "L0.v", {4, 16, 64});
    check_gemm(g[20], "L0.gate", {4, 160, 64});
    check_gemm(g[21], "L0.up", {4, 160, 64});
    check_gemm(g[22], "L0.down", {4, 64, 160});
  }
}

TEST_CASE("opt-350m's word_embed_proj_dim adds project_in and project_out GEMMs", "[unit][models]") {
  // facebook/opt-350m's config.json (the keys shapes depend on): 1024 wide, 512-wide embeddings.
  const auto path = write_config("opt350m.json", R"({"_name_or_path": "facebook/opt-350m",
      "architectures": ["OPTForCausalLM"], "model_type": "opt", "hidden_size": 1024, "ffn_dim": 4096,
      "num_hidden_layers": 24, "num_attention_heads": 16, "vocab_size": 50272, "max_position_embeddings": 2048,
      "word_embed_proj_dim": 512, "do_layer_norm_before": false, "activation_function": "relu"})");
  const models::ModelShape s = models::shape_from_hf_config(path);
  CHECK(s.name == "facebook/opt-350m");
  CHECK(s.embed_dim == 512);
  for (const auto stage : {models::Stage::Prefill, models::Stage::Decode}) {
    const std::int64_t m = stage == models::Stage::Prefill ? 16 : 1;
    const auto g = models::model_gemms(s, 16, stage);
    // project_in, then 24 layers of Q K V, 16 QK, 16 PV, O, Up, Down, then project_out.
    REQUIRE(g.size() == 1 + 24 * (6 + 2 * 16) + 1);
    check_gemm(g[0], "project_in", {m, 1024, 512});  // (M, 512) embeddings -> (M, 1024)
    CHECK(g[0].id.layer == 0);
    check_gemm(g[1], "L0.q", {m, 1024, 1024});
    check_gemm(g[38], "L0.down", {m, 1024, 4096});
    check_gemm(g[39], "L1.q", {m, 1024, 1024});
    check_gemm(g.back(), "project_out", {m, 512, 1024});  // (M, 1024) -> (M, 512) for the tied 512-wide head
    CHECK(g.back().id.layer == 23);
  }
  // opt-125m states word_embed_proj_dim = hidden_size: no projections.
  const auto plain = write_config("opt125m.json", R"({"model_type": "opt", "hidden_size": 768, "ffn_dim": 3072,
      "num_hidden_layers": 12, "num_attention_heads": 12, "vocab_size": 50272, "word_embed_proj_dim": 768})");
  const auto g = models::model_gemms(models::shape_from_hf_config(plain), 8, models::Stage::Prefill);
  CHECK(g.size() == 12 * (6 + 2 * 12));
  CHECK(g.front().name == "L0.q");
}

TEST_CASE("Bad model configs name the file and the key", "[unit][models]") {
  auto error_for = [](const std::string& json) {
    const auto path = write_config("bad.json", json);
    return error_of([&] { models::shape_from_hf_config(path); });
  };
  std::string msg = error_for(R"({"model_type": "bert", "hidden_size": 64})");
  CHECK_THAT(msg, Contains("bad.json"));
  CHECK_THAT(msg, Contains("'bert' is not a known family"));
  CHECK_THAT(msg, Contains("gpt2"));
  msg = error_for(R"({"architectures": ["T5ForConditionalGeneration"]})");
  CHECK_THAT(msg, Contains("key 'architectures'"));
  msg = error_for(R"({"model_type": "opt", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
      "vocab_size": 1000})");
  CHECK_THAT(msg, Contains("key 'ffn_dim': missing"));
  msg = error_for(R"({"model_type": "llama", "hidden_size": 64.5, "intermediate_size": 1, "num_hidden_layers": 1,
      "num_attention_heads": 1, "vocab_size": 10})");
  CHECK_THAT(msg, Contains("key 'hidden_size': expected an integer"));
  msg = error_for(R"({"model_type": "llama", "hidden_size": -4, "intermediate_size": 1, "num_hidden_layers": 1,
      "num_attention_heads": 1, "vocab_size": 10})");
  CHECK_THAT(msg, Contains("key 'hidden_size': expected 1.."));
  msg = error_for(R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 1, "num_hidden_layers": 1,
      "num_attention_heads": 8, "num_key_value_heads": 3, "vocab_size": 10})");
  CHECK_THAT(msg, Contains("key 'num_key_value_heads'"));
  msg = error_for(R"({"model_type": "gpt2", "n_embd": 50, "n_layer": 1, "n_head": 3, "vocab_size": 10})");
  CHECK_THAT(msg, Contains("key 'n_head': 3 does not divide the width 50"));
  msg = error_for(R"({"model_type": "mistral", "hidden_size": 5120, "intermediate_size": 14336, "num_hidden_layers": 1,
      "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 10})");
  CHECK_THAT(msg, Contains("key 'head_dim': 128 differs from the width / heads = 160"));
  // A head_dim equal to width / heads (LLaMA-3.1's config.json carries one) is accepted.
  CHECK(models::shape_from_hf_config(write_config("hd.json", R"({"model_type": "llama", "hidden_size": 64,
      "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 4, "head_dim": 16, "vocab_size": 10})"))
            .head_size() == 16);
  CHECK_THAT(error_for("{\"model_type\": "), Contains("not valid JSON"));
  CHECK_THAT(error_for("[1, 2]"), Contains("expected a JSON object"));
  CHECK_THAT(error_of([] { models::shape_from_hf_config(std::filesystem::temp_directory_path()); }),
             Contains("not a regular file"));
}
