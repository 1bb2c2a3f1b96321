// Checkpoint loader: stories260K header and weights, v1 round trip, rejection of bad files.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "llm_test_support.hpp"
#include "models/llm/transformer.hpp"

using namespace saffire::models::llm;

namespace {

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void put_i32(std::string& bytes, std::size_t at, std::int32_t v) { std::memcpy(bytes.data() + at, &v, 4); }

}  // namespace

TEST_CASE("stories260K loads with the documented header", "[unit][llm][checkpoint]") {
  const Checkpoint& ckpt = test::stories260k();
  const LlamaConfig& c = ckpt.config();
  CHECK(ckpt.format() == CheckpointFormat::Legacy);
  CHECK(c.dim == 64);
  CHECK(c.hidden_dim == 172);
  CHECK(c.n_layers == 5);
  CHECK(c.n_heads == 8);
  CHECK(c.n_kv_heads == 4);
  CHECK(c.vocab_size == 512);
  CHECK(c.seq_len == 512);
  CHECK(c.shared_classifier);
  CHECK(c.head_size() == 8);
  CHECK(c.kv_dim() == 32);
  CHECK(checkpoint_file_size(c, CheckpointFormat::Legacy) == 1056540);
  CHECK(ckpt.weights().classifier == ckpt.weights().token_embedding);
  // The first float after the 28-byte header is token_embedding[0][0].
  const std::string raw = read_file(test::shared_file("stories260K.bin"));
  float first;
  std::memcpy(&first, raw.data() + 28, 4);
  CHECK(ckpt.weights().token_embedding[0] == first);
}

TEST_CASE("v1 and legacy re-exports load to the same model", "[unit][llm][checkpoint]") {
  test::ScratchDir dir("ckpt");
  const Checkpoint& ref = test::stories260k();
  save_checkpoint(ref, dir / "v1.bin", CheckpointFormat::V1);
  save_checkpoint(ref, dir / "legacy.bin", CheckpointFormat::Legacy);
  const Checkpoint v1 = load_checkpoint(dir / "v1.bin");
  const Checkpoint legacy = load_checkpoint(dir / "legacy.bin");
  CHECK(v1.format() == CheckpointFormat::V1);
  CHECK(std::filesystem::file_size(dir / "v1.bin") ==
        static_cast<std::uintmax_t>(checkpoint_file_size(ref.config(), CheckpointFormat::V1)));
  CHECK(std::filesystem::file_size(dir / "legacy.bin") == 1056540u);
  const std::int64_t n = ref.config().parameter_count();
  CHECK(std::memcmp(v1.weights().token_embedding, ref.weights().token_embedding, 4 * static_cast<std::size_t>(n)) == 0);
  CHECK(std::memcmp(legacy.weights().token_embedding, ref.weights().token_embedding, 4 * static_cast<std::size_t>(n)) ==
        0);
  CHECK(v1.weights().rms_final[3] == ref.weights().rms_final[3]);
  Transformer a(ref), b(v1);
  const std::vector<int> tokens = {1, 403, 407};
  const auto la = a.prefill(tokens);
  const std::vector<float> first(la.begin(), la.end());
  const auto lb = b.prefill(tokens);
  CHECK(std::equal(first.begin(), first.end(), lb.begin()));
}

TEST_CASE("separate classifier (negative vocab_size) is read after the RoPE tables", "[unit][llm][checkpoint]") {
  // A tiny synthetic model: dim 4, hidden 6, 1 layer, 2 heads, 1 KV head, vocab 5, seq_len 3.
  LlamaConfig c{4, 6, 1, 2, 1, 5, 3, false};
  std::vector<float> w(static_cast<std::size_t>(c.parameter_count()));
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i % 97) * 0.01f;
  const Checkpoint ckpt = Checkpoint::from_weights(c, w);
  test::ScratchDir dir("cls");
  save_checkpoint(ckpt, dir / "m.bin", CheckpointFormat::Legacy);
  const std::string raw = read_file(dir / "m.bin");
  std::int32_t vocab;
  std::memcpy(&vocab, raw.data() + 20, 4);
  CHECK(vocab == -5);
  const Checkpoint back = load_checkpoint(dir / "m.bin");
  CHECK_FALSE(back.config().shared_classifier);
  CHECK(back.weights().classifier != back.weights().token_embedding);
  CHECK(back.weights().classifier[0] == w[w.size() - 20]);  // the classifier is the last 5 x 4 floats
  CHECK(back.weights().classifier[19] == w.back());
}

TEST_CASE("truncated, bad-header and wrong-size checkpoints are rejected with the file named",
          "[unit][llm][checkpoint]") {
  test::ScratchDir dir("bad");
  const std::string good = read_file(test::shared_file("stories260K.bin"));

  test::check_error([&] { load_checkpoint(dir / "none.bin"); }, {"none.bin", "not found"});

  write_bytes(dir / "cut.bin", good.substr(0, good.size() - 100));
  test::check_error([&] { load_checkpoint(dir / "cut.bin"); }, {"cut.bin", "1056440 bytes", "1056540", "truncated"});

  write_bytes(dir / "long.bin", good + "xxxx");
  test::check_error([&] { load_checkpoint(dir / "long.bin"); }, {"long.bin", "trailing"});

  write_bytes(dir / "header.bin", good.substr(0, 20));
  test::check_error([&] { load_checkpoint(dir / "header.bin"); }, {"shorter than a checkpoint header"});

  std::string bad = good;
  put_i32(bad, 12, 7);  // n_heads = 7: dim 64 is not a multiple
  write_bytes(dir / "heads.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "heads.bin"); }, {"heads.bin", "not a multiple of n_heads"});

  bad = good;
  put_i32(bad, 16, 3);  // n_kv_heads = 3: 8 heads are not a multiple
  write_bytes(dir / "kv.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "kv.bin"); }, {"not a multiple of n_kv_heads"});

  bad = good;
  put_i32(bad, 0, -64);  // dim negative
  write_bytes(dir / "dim.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "dim.bin"); }, {"dim = -64"});

  bad = good;
  put_i32(bad, 8, 6);  // n_layers 6: a consistent header, but the file is one layer short
  write_bytes(dir / "layers.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "layers.bin"); }, {"truncated"});

  bad = good;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(bad.data() + 28 + 4 * 100, &nan, 4);
  write_bytes(dir / "nan.bin", bad);
  test::check_error([&] { load_checkpoint(dir / "nan.bin"); }, {"token_embedding", "non-finite"});

  // v1: unsupported version and a truncated header.
  std::string v1(256, '\0');
  put_i32(v1, 0, 0x616b3432);
  put_i32(v1, 4, 2);
  write_bytes(dir / "v2.bin", v1);
  test::check_error([&] { load_checkpoint(dir / "v2.bin"); }, {"version 2"});
  write_bytes(dir / "v1short.bin", v1.substr(0, 100));
  test::check_error([&] { load_checkpoint(dir / "v1short.bin"); }, {"256-byte v1 header"});

  // The error is a ConfigError (CLI exit code 2) that carries the file.
  try {
    load_checkpoint(dir / "cut.bin");
    FAIL("no exception");
  } catch (const ModelFileError& e) {
    CHECK(e.file().filename() == "cut.bin");
  }
}

TEST_CASE("model files resolve from an explicit path or the shared directory", "[unit][llm][checkpoint]") {
  CHECK(std::filesystem::exists(resolve_model_file("stories260K.bin")));
  test::check_error([&] { resolve_model_file("stories260K.bin", "/nonexistent/x.bin"); }, {"/nonexistent/x.bin"});
  test::check_error([&] { resolve_model_file("no_such_model.bin"); }, {"no_such_model.bin", "SAFFIRE_MODELS"});
}
