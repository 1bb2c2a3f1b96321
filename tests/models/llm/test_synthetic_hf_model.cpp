// Synthetic Hugging Face folders (the bench's GPT-2 and TinyLlama stand-ins): written, then read back through the
// Hugging Face loader: config, shapes, values, dtype rounding, value ranges.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "llm_test_support.hpp"
#include "models/llm/hf_checkpoint.hpp"
#include "models/llm/safetensors.hpp"
#include "models/llm/synthetic_hf_model.hpp"

using namespace saffire::models::llm;
using test::ScratchDir;

namespace {

std::size_t index_of(const std::vector<SyntheticTensor>& ts, const std::string& name) {
  for (std::size_t i = 0; i < ts.size(); ++i)
    if (ts[i].name == name) return i;
  FAIL("no tensor " << name);
  return 0;
}

}  // namespace

TEST_CASE("synthetic LLaMA folder round-trips through the loader (F32, GQA, untied)", "[llm][synthetic]") {
  ScratchDir scratch("synthetic_llama");
  const auto dir = scratch / "model";
  SyntheticHfModel m;  // defaults: LLaMA
  m.dim = 32;
  m.hidden_dim = 48;
  m.n_layers = 2;
  m.n_heads = 4;
  m.n_kv_heads = 2;
  m.vocab_size = 40;
  m.seq_len = 64;
  m.dtype = TensorDtype::F32;
  write_synthetic_hf_model(dir, m);
  HfModelConfig hf;
  const Checkpoint ckpt = load_hf_checkpoint(dir, &hf);
  const LlamaConfig& c = ckpt.config();
  CHECK(hf.architecture == HfArchitecture::Llama);
  CHECK(c.dim == 32);
  CHECK(c.hidden_dim == 48);
  CHECK(c.n_layers == 2);
  CHECK(c.n_heads == 4);
  CHECK(c.n_kv_heads == 2);
  CHECK(c.vocab_size == 40);
  CHECK(c.seq_len == 64);
  CHECK_FALSE(c.shared_classifier);
  // 40*32 embedding + 2 layers (2 norms of 32, q 32x32, k/v 16x32, o 32x32, 3 FFN 48x32) + norm + head, F32.
  const std::int64_t params = 40 * 32 + 2 * (2 * 32 + 2 * 1024 + 2 * 512 + 3 * 1536) + 32 + 40 * 32;
  CHECK(synthetic_data_bytes(m) == 4 * params);
  CHECK(c.parameter_count() == params);

  const auto ts = synthetic_tensors(m);
  const std::size_t k1 = index_of(ts, "model.layers.1.self_attn.k_proj.weight");
  const LlamaWeights& w = ckpt.weights();
  const std::int64_t kv = 16;
  for (const std::int64_t e : {std::int64_t{0}, std::int64_t{5}, std::int64_t{16 * 32 - 1}}) {
    CHECK(w.wk[kv * 32 + e] == synthetic_value(m, ts[k1], k1, e));  // layer 1, F32: exact
  }
  // Values lie in [center - scale, center + scale) with scale 1/sqrt(in) for matrices, around 1 for norms,
  // and are not constant.
  const float bound = 1.0f / std::sqrt(32.0f);
  double sum = 0, sq = 0;
  for (std::int64_t i = 0; i < 48 * 32; ++i) {
    const float v = w.w1[i];
    REQUIRE(std::abs(v) <= bound);
    sum += v;
    sq += static_cast<double>(v) * v;
  }
  CHECK(std::abs(sum / (48 * 32)) < 0.1 * bound);               // mean ~ 0
  CHECK(std::sqrt(sq / (48 * 32)) == Approx(bound / std::sqrt(3.0)).epsilon(0.1));  // uniform's RMS
  for (int i = 0; i < 32; ++i) CHECK(std::abs(w.rms_att[i] - 1.0f) <= 0.1f);
}

TEST_CASE("synthetic GPT-2 folder round-trips through the loader (BF16, Conv1D, tied)", "[llm][synthetic]") {
  ScratchDir scratch("synthetic_gpt2");
  const auto dir = scratch / "model";
  SyntheticHfModel m = gpt2_small_shape();
  m.dim = 16;
  m.hidden_dim = 64;
  m.n_layers = 2;
  m.n_heads = m.n_kv_heads = 2;
  m.vocab_size = 30;
  m.seq_len = 24;
  m.dtype = TensorDtype::BF16;
  m.seed = 7;
  write_synthetic_hf_model(dir, m);
  HfModelConfig hf;
  const Checkpoint ckpt = load_hf_checkpoint(dir, &hf);
  CHECK(hf.architecture == HfArchitecture::Gpt2);
  CHECK(ckpt.config().dim == 16);
  CHECK(ckpt.config().hidden_dim == 64);
  CHECK(ckpt.config().shared_classifier);
  CHECK(std::filesystem::file_size(dir / "model.safetensors") > static_cast<std::uintmax_t>(synthetic_data_bytes(m)));
  const auto ts = synthetic_tensors(m);
  const std::size_t attn = index_of(ts, "transformer.h.0.attn.c_attn.weight");  // (16, 48), stored (in, out)
  const LlamaWeights& w = ckpt.weights();
  const auto bf16 = [](float v) { return bf16_to_f32(f32_to_bf16(v)); };
  // wk (out, in) row j, column i = c_attn[i][16 + j].
  for (const auto& [j, i] : {std::pair{0, 0}, std::pair{3, 7}, std::pair{15, 15}}) {
    CHECK(w.wk[j * 16 + i] == bf16(synthetic_value(m, ts[attn], attn, i * 48 + 16 + j)));
  }
  const std::size_t wpe = index_of(ts, "transformer.wpe.weight");
  CHECK(w.position_embedding[5] == bf16(synthetic_value(m, ts[wpe], wpe, 5)));
  // Another seed, other weights.
  SyntheticHfModel other = m;
  other.seed = 8;
  CHECK(synthetic_value(other, ts[attn], attn, 3) != synthetic_value(m, ts[attn], attn, 3));
}

TEST_CASE("synthetic model rejects what the loader cannot hold", "[llm][synthetic]") {
  SyntheticHfModel m;
  m.architecture = HfArchitecture::Opt;
  CHECK_THROWS_AS(synthetic_tensors(m), std::invalid_argument);
  m = SyntheticHfModel{};
  m.dtype = TensorDtype::I8;
  CHECK_THROWS_AS(synthetic_data_bytes(m), std::invalid_argument);
  m = SyntheticHfModel{};
  m.n_heads = 3;  // 64 % 3 != 0
  CHECK_THROWS_AS(synthetic_tensors(m), std::invalid_argument);
}
