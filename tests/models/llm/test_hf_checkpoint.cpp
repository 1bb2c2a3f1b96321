// Hugging Face folders: stories260K written in the HF LLaMA layout (rotate-half q/k rows, safetensors,
// config.json, tokenizer.json) against the llama2.c path; shards; F16/BF16; RoPE variants; hostile folders.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "hf_fixture.hpp"
#include "llm_test_support.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/llm/generate.hpp"
#include "models/llm/hf_checkpoint.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/perplexity.hpp"

using namespace saffire::models;
using namespace saffire::models::llm;
using test::ScratchDir;


TEST_CASE("stories260K in the Hugging Face layout gives the llama2.c path's text and perplexity",
          "[integration][llm][hf]") {
  if (!test::have_stories()) return;
  ScratchDir dir("hf_f32");
  test::write_llama_hf_folder(dir / "stories", test::stories260k(), "F32", &test::tok512());
  const LanguageModel hf = load_language_model((dir / "stories").string());
  const LanguageModel ref = test::stories260k_reference();
  CHECK(hf.checkpoint.format() == CheckpointFormat::HuggingFace);
  CHECK(hf.checkpoint.config().rope.style == RopeStyle::RotateHalf);
  CHECK(ref.checkpoint.config().rope.style == RopeStyle::Interleaved);
  CHECK(hf.tokenizer_path.filename() == "tokenizer.json");

  // The tokenizer.json tokenizer encodes the evaluation text as tok512.bin does; the golden text; PPL.
  test::check_matches_llama2c(hf, ref, "HF");
}

TEST_CASE("stories260K stored as BF16 and F16 moves the perplexity a little", "[integration][llm][hf]") {
  if (!test::have_stories()) return;
  ScratchDir dir("hf_half");
  const LanguageModel ref = test::stories260k_reference();
  const double base = test::ppl_of(ref, Precision::FP32, 40).ppl;
  for (const std::string dtype : {"BF16", "F16"}) {
    test::write_llama_hf_folder(dir / dtype, test::stories260k(), dtype, &test::tok512());
    const LanguageModel lm = load_language_model((dir / dtype).string());
    const double ppl = test::ppl_of(lm, Precision::FP32, 40).ppl;
    const double rel = (ppl - base) / base;
    WARN(dtype << ": FP32 PPL " << ppl << " vs " << base << " (F32 weights), relative change " << rel);
    CHECK(std::fabs(rel) < 0.01);  // rounding the weights to 8 (BF16) or 11 (F16) significant bits
    CHECK(ppl != base);            // the weights really were rounded
  }
}

TEST_CASE("sharded safetensors with an index load the same weights as one file", "[unit][llm][hf]") {
  if (!test::have_stories()) return;
  ScratchDir dir("hf_shards");
  const Checkpoint& src = test::stories260k();
  const auto tensors = test::llama_hf_tensors(src);
  std::filesystem::create_directories(dir / "m");
  test::write_json(dir / "m" / "config.json", test::llama_hf_config(src.config()));
  std::vector<test::FixtureTensor> a(tensors.begin(), tensors.begin() + 20), b(tensors.begin() + 20, tensors.end());
  test::write_safetensors(dir / "m" / "model-00001-of-00002.safetensors", a, "F32");
  test::write_safetensors(dir / "m" / "model-00002-of-00002.safetensors", b, "F16");
  nlohmann::json map = nlohmann::json::object();
  for (const auto& t : a) map[t.name] = "model-00001-of-00002.safetensors";
  for (const auto& t : b) map[t.name] = "model-00002-of-00002.safetensors";
  test::write_json(dir / "m" / "model.safetensors.index.json", {{"metadata", {{"total_size", 0}}}, {"weight_map", map}});
  const Checkpoint ckpt = load_hf_checkpoint(dir / "m");
  // Embeddings came from the F32 shard unchanged; the last layers' tensors from the F16 shard, rounded.
  const std::int64_t emb = static_cast<std::int64_t>(src.config().vocab_size) * src.config().dim;
  CHECK(std::equal(ckpt.weights().token_embedding, ckpt.weights().token_embedding + emb, src.weights().token_embedding));
  CHECK(ckpt.weights().rms_final[3] == f16_to_f32(f32_to_f16(src.weights().rms_final[3])));

  // A missing shard is named.
  std::filesystem::remove(dir / "m" / "model-00002-of-00002.safetensors");
  test::check_error([&] { load_hf_checkpoint(dir / "m"); }, {"model.safetensors.index.json", "model-00002-of-00002.safetensors", "missing"});
  // A shard outside the folder is refused.
  map["model.norm.weight"] = "../elsewhere.safetensors";
  test::write_json(dir / "m" / "model.safetensors.index.json", {{"weight_map", map}});
  test::check_error([&] { load_hf_checkpoint(dir / "m"); }, {"weight_map.model.norm.weight", "not a plain file name"});
}

TEST_CASE("half-precision conversions are exact where they must be", "[unit][llm][hf]") {
  // Hand-checked bit patterns (IEEE 754 binary16 / bfloat16).
  CHECK(f16_to_f32(0x3C00) == 1.0f);
  CHECK(f16_to_f32(0xC000) == -2.0f);
  CHECK(f16_to_f32(0x7BFF) == 65504.0f);
  CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  CHECK(f16_to_f32(0x3555) == Approx(0.333251953125f).epsilon(0));
  CHECK(std::isinf(f16_to_f32(0x7C00)));
  CHECK(bf16_to_f32(0x3F80) == 1.0f);
  CHECK(bf16_to_f32(0x4049) == 3.140625f);
  CHECK(f32_to_bf16(3.14159265f) == 0x4049);
  CHECK(f32_to_f16(1.0f / 3.0f) == 0x3555);
  CHECK(f32_to_f16(65504.0f) == 0x7BFF);
  CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);
  // Every binary16 value that is finite survives the round trip.
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_f32(static_cast<std::uint16_t>(h));
    if (std::isfinite(f) && h != 0x8000) REQUIRE(f32_to_f16(f) == h);
  }
}

TEST_CASE("RoPE: interleaved and rotate-half pairs, theta and LLaMA-3 scaling", "[unit][llm][hf]") {
  // Rotation of pair (a, b) by angle pos * f: (a cos - b sin, a sin + b cos), computed here in double.
  const int hd = 8, pos = 5;
  std::vector<float> x(hd);
  for (int i = 0; i < hd; ++i) x[static_cast<std::size_t>(i)] = 0.1f * static_cast<float>(i + 1);
  for (const RopeStyle style : {RopeStyle::Interleaved, RopeStyle::RotateHalf}) {
    RopeConfig rc;
    rc.style = style;
    rc.theta = 500000.0;
    RopeTable table(pos + 1, hd, rc);
    std::vector<float> y = x;
    table.apply(y.data(), hd, pos);
    for (int j = 0; j < hd / 2; ++j) {
      const double f = std::pow(500000.0, -2.0 * j / hd), ang = pos * f;
      const int a = style == RopeStyle::Interleaved ? 2 * j : j, b = style == RopeStyle::Interleaved ? 2 * j + 1 : j + hd / 2;
      const double xa = x[static_cast<std::size_t>(a)], xb = x[static_cast<std::size_t>(b)];
      CHECK(y[static_cast<std::size_t>(a)] == Approx(xa * std::cos(ang) - xb * std::sin(ang)).margin(1e-6));
      CHECK(y[static_cast<std::size_t>(b)] == Approx(xa * std::sin(ang) + xb * std::cos(ang)).margin(1e-6));
    }
  }
  // LLaMA-3.1 (factor 8, low 1, high 4, original 8192) on head size 128, theta 500000: a short wavelength is kept,
  // a long one divided by 8, one in between blended; checked at a position far out where any error shows.
  RopeConfig rc;
  rc.style = RopeStyle::RotateHalf;
  rc.theta = 500000.0;
  rc.scaling.kind = RopeScaling::Kind::Llama3;
  rc.scaling.factor = 8.0, rc.scaling.low_freq_factor = 1.0, rc.scaling.high_freq_factor = 4.0;
  rc.scaling.original_max_position = 8192;
  const int big = 128, p = 1000;
  RopeTable table(p + 1, big, rc);
  for (const int j : {0, 30, 45, 63}) {
    std::vector<float> v(big, 0.0f);
    v[static_cast<std::size_t>(j)] = 1.0f;
    table.apply(v.data(), big, p);
    const double f = std::pow(500000.0, -2.0 * j / big), wavelen = 2 * M_PI / f;
    double g = f;  // published rule (Meta's apply_scaling)
    if (wavelen > 8192.0) {
      g = f / 8.0;
    } else if (wavelen >= 8192.0 / 4.0) {
      const double smooth = (8192.0 / wavelen - 1.0) / (4.0 - 1.0);
      g = (1 - smooth) * f / 8.0 + smooth * f;
    }
    INFO("pair " << j << " wavelength " << wavelen);
    CHECK(v[static_cast<std::size_t>(j)] == Approx(std::cos(p * g)).margin(2e-4));
    CHECK(v[static_cast<std::size_t>(j + big / 2)] == Approx(std::sin(p * g)).margin(2e-4));
  }
}
