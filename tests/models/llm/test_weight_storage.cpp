// Weight loading: llama2.c's v2 Q8_0 export against the FP32 file it came from, and W8A8 quantization straight
// from the mapped file (WeightStorage::MappedProjections) against quantization of the FP32 copy.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "hf_fixture.hpp"
#include "llm_test_support.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/llm/generate.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/perplexity.hpp"

using namespace saffire::models;
using namespace saffire::models::llm;

namespace {

constexpr std::array<Component, 7> kProjections = {Component::Q,    Component::K,  Component::V,   Component::O,
                                                   Component::Gate, Component::Up, Component::Down};

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void put_i32(std::string& bytes, std::size_t at, std::int32_t v) { std::memcpy(bytes.data() + at, &v, 4); }

std::pair<std::int64_t, std::int64_t> shape_of(const LlamaConfig& c, Component comp) {
  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  if (comp == Component::K || comp == Component::V) return {kv, d};
  if (comp == Component::Gate || comp == Component::Up) return {h, d};
  if (comp == Component::Down) return {d, h};
  return {d, d};
}

// The FP32 view of projection `comp` of layer 0 (quantize_linear's input).
const float* fp32_projection(const Checkpoint& ckpt, Component comp, int layer) {
  const LlamaWeights& w = ckpt.weights();
  const auto [out, in] = shape_of(ckpt.config(), comp);
  const float* base = comp == Component::Q   ? w.wq
                      : comp == Component::K ? w.wk
                      : comp == Component::V ? w.wv
                      : comp == Component::O ? w.wo
                      : comp == Component::Gate ? w.w1
                      : comp == Component::Up   ? w.w3
                                                : w.w2;
  return base + static_cast<std::int64_t>(layer) * out * in;
}

// Every projection of `mapped` quantized from its mapping equals quantize_linear of `fp32`'s FP32 copy.
void check_same_quantization(const Checkpoint& fp32, const Checkpoint& mapped) {
  REQUIRE(fp32.has_fp32_projections());
  REQUIRE_FALSE(mapped.has_fp32_projections());
  const LlamaConfig& c = fp32.config();
  for (const WeightGranularity g : {WeightGranularity::PerChannel, WeightGranularity::PerTensor}) {
    for (int l = 0; l < c.n_layers; ++l) {
      for (const Component comp : kProjections) {
        if (comp == Component::Gate && !c.style.gated()) continue;
        const auto [out, in] = shape_of(c, comp);
        const QuantizedLinear ref = quantize_linear(fp32_projection(fp32, comp, l), out, in, g);
        const QuantizedLinear got = quantize_projection(mapped, comp, l, out, in, g);
        INFO("layer " << l << " " << to_string(comp) << " " << to_string(g));
        CHECK(got.q == ref.q);
        CHECK(got.scales == ref.scales);
      }
    }
  }
}

std::vector<float> w8a8_logits(const Checkpoint& ckpt, const std::vector<int>& tokens) {
  InferenceOptions inf;
  inf.precision = Precision::W8A8;
  CpuGemmEngine engine;
  Transformer model(ckpt, inf, &engine);
  const auto l = model.prefill(tokens, 0, /*all_logits=*/true);
  return {l.begin(), l.end()};
}

const std::vector<int> kTokens = {1, 403, 407, 261, 378, 30, 72, 400};

}  // namespace

TEST_CASE("the v2 Q8_0 export dequantizes to the FP32 file's weights within half a group scale",
          "[unit][llm][checkpoint][q80]") {
  const auto q80_path = test::shared_file("stories260K_q80.bin");
  if (!test::have_file(q80_path)) return;
  const Checkpoint q = load_checkpoint(q80_path);
  const Checkpoint& f = test::stories260k();
  CHECK(q.format() == CheckpointFormat::V2Q80);
  CHECK(q.config().to_string() == f.config().to_string());
  CHECK(q.config().shared_classifier);
  CHECK(q80_file_size(q.config(), 32) == 294816);
  CHECK(std::filesystem::file_size(q80_path) == 294816u);
  // Independent reference: for each group of 32 consecutive FP32 weights, Q8_0's scale is absmax / 127, so
  // rounding to the INT8 grid moves no weight by more than half of it.
  const LlamaWeights& a = q.weights();
  const LlamaWeights& b = f.weights();
  const LlamaConfig& c = f.config();
  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim(), L = c.n_layers, v = c.vocab_size;
  struct Pair {
    const char* name;
    const float* q;
    const float* f;
    std::int64_t n;
  };
  const std::vector<Pair> quantized = {{"token_embedding", a.token_embedding, b.token_embedding, v * d},
                                       {"wq", a.wq, b.wq, L * d * d},
                                       {"wk", a.wk, b.wk, L * kv * d},
                                       {"wv", a.wv, b.wv, L * kv * d},
                                       {"wo", a.wo, b.wo, L * d * d},
                                       {"w1", a.w1, b.w1, L * h * d},
                                       {"w2", a.w2, b.w2, L * d * h},
                                       {"w3", a.w3, b.w3, L * h * d}};
  double worst_ratio = 0.0;
  for (const Pair& p : quantized) {
    for (std::int64_t g = 0; g < p.n / 32; ++g) {
      float absmax = 0.0f;
      for (int i = 0; i < 32; ++i) absmax = std::max(absmax, std::fabs(p.f[g * 32 + i]));
      const double half_scale = absmax / 127.0 / 2.0;
      for (int i = 0; i < 32; ++i) {
        const double err = std::fabs(static_cast<double>(p.q[g * 32 + i]) - p.f[g * 32 + i]);
        worst_ratio = std::max(worst_ratio, err / half_scale);
      }
    }
  }
  WARN("largest Q8_0 error: " << worst_ratio << " x half a group scale");
  CHECK(worst_ratio <= 1.0 + 1e-4);  // fp32 rounding of the scale and product
  CHECK(worst_ratio > 0.5);          // the weights really were rounded
  // Norms are stored in fp32: identical.
  CHECK(std::memcmp(a.rms_att, b.rms_att, static_cast<std::size_t>(4 * L * d)) == 0);
  CHECK(std::memcmp(a.rms_ffn, b.rms_ffn, static_cast<std::size_t>(4 * L * d)) == 0);
  CHECK(std::memcmp(a.rms_final, b.rms_final, static_cast<std::size_t>(4 * d)) == 0);
  CHECK(a.classifier == a.token_embedding);
}

TEST_CASE("the v2 Q8_0 export generates and scores close to the FP32 file", "[integration][llm][q80]") {
  const auto q80_path = test::shared_file("stories260K_q80.bin");
  if (!test::have_file(q80_path) || !test::have_file(test::shared_file("tinystories_val.txt"))) return;
  const LanguageModel q = load_language_model(q80_path.string(), test::shared_file("tok512.bin").string());
  const std::string text = read_file(test::shared_file("tinystories_val.txt"));
  PerplexityOptions po;
  po.ctx = 256;
  po.paragraphs = 40;
  Transformer fq(q.checkpoint), ff(test::stories260k());
  const double pq = evaluate_perplexity(fq, q.tokenizer, text, po).ppl;
  const double pf = evaluate_perplexity(ff, test::tok512(), text, po).ppl;
  WARN("FP32 inference, 40 paragraphs: Q8_0 file PPL " << pq << ", FP32 file PPL " << pf);
  CHECK(std::fabs(pq / pf - 1.0) < 0.01);
  CHECK(pq != pf);
  // Greedy text: the golden text's first sentences (the continuation may part where two logits are close).
  Sampler sampler(q.checkpoint.config().vocab_size, SamplerOptions{});
  const std::string got = generate(fq, q.tokenizer, sampler, "Once upon a time", 200).text;
  const std::string golden = test::kGoldenText;
  std::size_t common = 0;
  while (common < got.size() && common < golden.size() && got[common] == golden[common]) ++common;
  WARN("greedy Q8_0 text shares its first " << common << " characters with the FP32 golden text");
  CHECK(common >= 100);
}

TEST_CASE("bad v2 Q8_0 headers and sizes are rejected with the file named", "[unit][llm][checkpoint][q80]") {
  const auto q80_path = test::shared_file("stories260K_q80.bin");
  if (!test::have_file(q80_path)) return;
  test::ScratchDir dir("q80bad");
  const std::string good = read_file(q80_path);
  std::string bad = good;
  put_i32(bad, 4, 3);
  write_bytes(dir / "v3.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "v3.bin"); }, {"v3.bin", "version 3", "v2 Q8_0"});
  for (const std::int32_t gs : {0, -32, 7, 128}) {
    bad = good;
    put_i32(bad, 37, gs);
    write_bytes(dir / "gs.bin", bad);
    test::check_error([&] { load_checkpoint(dir / "gs.bin"); },
                      {"gs.bin", ("group_size = " + std::to_string(gs)).c_str(), "divisor of dim = 64"});
  }
  bad = good;
  put_i32(bad, 37, 16);  // a valid group size, but the file holds scales for groups of 32
  write_bytes(dir / "gs16.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "gs16.bin"); }, {"gs16.bin", "group_size 16", "truncated"});
  write_bytes(dir / "cut.bin", good.substr(0, good.size() - 4));
  test::check_error([&] { load_checkpoint(dir / "cut.bin"); }, {"cut.bin", "294812 bytes", "294816", "truncated"});
  write_bytes(dir / "long.bin", good + "x");
  test::check_error([&] { load_checkpoint(dir / "long.bin"); }, {"long.bin", "trailing"});
  bad = good;
  bad[36] = 2;
  write_bytes(dir / "flag.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "flag.bin"); }, {"flag.bin", "shared_classifier flag is 2"});
  // A NaN scale: the last scale of the file belongs to w3 of the last layer.
  bad = good;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(bad.data() + bad.size() - 4, &nan, 4);
  write_bytes(dir / "nan.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "nan.bin"); }, {"nan.bin", "w3 of layer 4", "non-finite Q8_0 scale"});
  CHECK_THROWS_AS(load_checkpoint(dir / "nan.bin", WeightStorage::MappedProjections), saffire::ConfigError);
}

TEST_CASE("W8A8 quantization from the mapped file equals quantization of the FP32 copy", "[unit][llm][w8a8][mapped]") {
  test::ScratchDir dir("mapped");
  const Checkpoint& ref = test::stories260k();
  save_checkpoint(ref, dir / "v1.bin", CheckpointFormat::V1);
  std::vector<std::filesystem::path> files = {test::shared_file("stories260K.bin"), dir / "v1.bin"};
  if (std::filesystem::exists(test::shared_file("stories260K_q80.bin"))) files.push_back(test::shared_file("stories260K_q80.bin"));
  for (const auto& file : files) {
    INFO(file.string());
    const Checkpoint fp32 = load_checkpoint(file);
    const Checkpoint mapped = load_checkpoint(file, WeightStorage::MappedProjections);
    CHECK(mapped.weights().wq == nullptr);
    CHECK(mapped.weights().token_embedding != nullptr);
    CHECK(mapped.resident_fp32_bytes() < fp32.resident_fp32_bytes() / 2);  // stories260K: projections are 68 %
    check_same_quantization(fp32, mapped);
    CHECK(w8a8_logits(mapped, kTokens) == w8a8_logits(fp32, kTokens));  // bit-identical outputs
    CHECK(largest_weight(mapped).value == largest_weight(fp32).value);
    CHECK_THROWS_AS(Transformer(mapped), std::invalid_argument);  // FP32 inference needs the FP32 projections
  }
  // Hugging Face folders: F32, and BF16 (converted row by row from the mapping).
  for (const std::string dtype : {"F32", "BF16"}) {
    test::write_llama_hf_folder(dir / dtype, ref, dtype, &test::tok512());
    const LanguageModel fp32 = load_language_model((dir / dtype).string());
    const LanguageModel mapped = load_language_model((dir / dtype).string(), {}, WeightStorage::MappedProjections);
    INFO(dtype);
    check_same_quantization(fp32.checkpoint, mapped.checkpoint);
    CHECK(w8a8_logits(mapped.checkpoint, kTokens) == w8a8_logits(fp32.checkpoint, kTokens));
  }
  // A non-finite projection weight in a mapped file is reported when the transformer reads it.
  std::string raw = read_file(test::shared_file("stories260K.bin"));
  const float inf = std::numeric_limits<float>::infinity();
  const std::size_t wq0 = 28 + 4 * (512 * 64 + 5 * 64);  // header, token_embedding, rms_att: wq of layer 0
  std::memcpy(raw.data() + wq0 + 4 * 70, &inf, 4);
  write_bytes(dir / "inf.bin", raw);
  const Checkpoint bad = load_checkpoint(dir / "inf.bin", WeightStorage::MappedProjections);
  test::check_error([&] { (void)w8a8_logits(bad, kTokens); }, {"inf.bin", "wq of layer 0", "non-finite", "index 70"});
}
