// Hostile Hugging Face folders of Qwen2, OPT (pre-LN and opt-350m-style) and GPT-2: a missing tensor, a tensor
// whose shape the config contradicts, an unknown architecture and a missing config key are ModelFileErrors (exit
// code 2) naming the file and the tensor or key; never a crash.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "hf_arch_fixture.hpp"
#include "llm_test_support.hpp"
#include "models/llm/hf_checkpoint.hpp"
#include "models/llm/model_files.hpp"

using namespace saffire::models::llm;
using test::HfArchFixture;
using test::ScratchDir;

namespace {

struct HostileCase {
  HfArchFixture fixture;
  std::string missing_tensor;                // removed from the file
  std::string reshaped_tensor;               // stored with `bad_shape`
  std::vector<std::int64_t> bad_shape;
  std::string bad_shape_text, good_shape_text;  // as the message prints them
  std::string missing_key;                   // removed from config.json
  std::string grown_key;                     // config.json key doubled: the first tensor it sizes no longer fits
};

std::vector<HostileCase> hostile_cases() {
  return {
      {test::qwen2_fixture(), "model.layers.1.self_attn.k_proj.bias", "model.layers.0.self_attn.v_proj.bias", {16},
       "[16]", "[8]", "intermediate_size", "intermediate_size"},
      {test::opt_fixture(false), "model.decoder.layers.1.fc2.bias", "model.decoder.embed_positions.weight",
       {24, 16}, "[24, 16]", "[26, 16]", "ffn_dim", "ffn_dim"},
      {test::opt_fixture(true), "model.decoder.project_in.weight", "model.decoder.project_out.weight", {16, 8},
       "[16, 8]", "[8, 16]", "hidden_size", "word_embed_proj_dim"},
      // Conv1D stored untransposed (out, in) is the classic GPT-2 conversion mistake.
      {test::gpt2_fixture(), "transformer.h.0.attn.c_attn.bias", "transformer.h.1.attn.c_attn.weight", {48, 16},
       "[48, 16]", "[16, 48]", "n_embd", "n_positions"},
  };
}

// Expects a ModelFileError (a ConfigError: exit 2) whose message holds every part.
template <typename F>
void check_model_error(F&& f, std::initializer_list<const char*> parts) {
  CHECK_THROWS_AS(f(), ModelFileError);
  test::check_error(f, parts);
}

}  // namespace

TEST_CASE("hostile Qwen2, OPT and GPT-2 folders name the file and the tensor or key", "[unit][llm][hf][hostile]") {
  ScratchDir dir("hf_hostile_arch");
  for (HostileCase& c : hostile_cases()) {
    const HfArchFixture& good = c.fixture;
    INFO("architecture fixture " << good.label);
    const auto m = dir / good.label;
    const auto load = [&] { load_hf_checkpoint(m); };
    const auto reset = [&](const HfArchFixture& f) {
      std::filesystem::remove_all(m);
      f.write(m);
    };
    reset(good);
    REQUIRE_NOTHROW(load());

    // A missing tensor: the folder's weights and the tensor named, with the shape the config implies.
    HfArchFixture f = good;
    const auto before = f.tensors.size();
    std::erase_if(f.tensors, [&](const test::FixtureTensor& t) { return t.name == c.missing_tensor; });
    REQUIRE(f.tensors.size() + 1 == before);
    reset(f);
    check_model_error(load, {"model.safetensors", ("tensor '" + c.missing_tensor + "' is missing").c_str()});

    // A tensor of the wrong shape for the config.
    f = good;
    test::FixtureTensor* t = f.tensor(c.reshaped_tensor);
    REQUIRE(t != nullptr);
    std::int64_t n = 1;
    for (const std::int64_t s : c.bad_shape) n *= s;
    t->shape = c.bad_shape;
    t->values.assign(static_cast<std::size_t>(n), 0.5f);
    reset(f);
    check_model_error(load, {"model.safetensors",
                             ("tensor '" + c.reshaped_tensor + "' has shape " + c.bad_shape_text).c_str(),
                             ("config.json implies " + c.good_shape_text).c_str()});

    // A config whose dimension no longer matches the tensors: the first tensor it sizes is named.
    f = good;
    f.config[c.grown_key] = 2 * f.config[c.grown_key].get<int>();
    reset(f);
    check_model_error(load, {"model.safetensors", "' has shape ", "but config.json implies"});

    // An unknown architecture: the message lists the known ones.
    f = good;
    f.config["architectures"] = {"Qwen3MoeForCausalLM"};
    reset(f);
    check_model_error(load, {"config.json", "'architectures'", "Qwen3MoeForCausalLM", "LlamaForCausalLM",
                             "MistralForCausalLM", "Qwen2ForCausalLM", "OPTForCausalLM", "GPT2LMHeadModel"});
    f.config.erase("architectures");
    reset(f);
    check_model_error(load, {"config.json", "key 'architectures': missing", "GPT2LMHeadModel"});

    // A missing config key.
    f = good;
    f.config.erase(c.missing_key);
    reset(f);
    check_model_error(load, {"config.json", ("key '" + c.missing_key + "': missing").c_str()});

    // A mistyped one.
    f = good;
    f.config[c.missing_key] = "sixteen";
    reset(f);
    check_model_error(load, {"config.json", ("key '" + c.missing_key + "'").c_str(), "expected an integer"});
  }
}
