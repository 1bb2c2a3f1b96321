// Checkpoint loader: stories260K header and weights, v1 round trip, rejection of bad files.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "arch/memory_budget.hpp"
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
  LlamaConfig c;
  c.dim = 4, c.hidden_dim = 6, c.n_layers = 1, c.n_heads = 2, c.n_kv_heads = 1, c.vocab_size = 5, c.seq_len = 3;
  c.shared_classifier = false;
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

  // v1: unsupported version (v2 is the Q8_0 export, test_weight_storage.cpp) and a truncated header.
  std::string v1(256, '\0');
  put_i32(v1, 0, 0x616b3432);
  put_i32(v1, 4, 3);
  write_bytes(dir / "v3.bin", v1);
  test::check_error([&] { load_checkpoint(dir / "v3.bin"); }, {"version 3"});
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

TEST_CASE("a header that lies about the size is rejected before anything is allocated", "[unit][llm][checkpoint]") {
  test::ScratchDir dir("lying");
  // A small model written by the test: dim 8, 1 layer, 4 heads, vocab 16, seq_len 32, v1 and legacy.
  LlamaConfig c;
  c.dim = 8, c.hidden_dim = 12, c.n_layers = 1, c.n_heads = 4, c.n_kv_heads = 2, c.vocab_size = 16, c.seq_len = 32;
  std::vector<float> w(static_cast<std::size_t>(c.parameter_count()));
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(i % 7);
  const Checkpoint small = Checkpoint::from_weights(c, w);
  save_checkpoint(small, dir / "small_v1.bin", CheckpointFormat::V1);
  save_checkpoint(small, dir / "small_legacy.bin", CheckpointFormat::Legacy);
  CHECK(load_checkpoint(dir / "small_v1.bin").config().n_layers == 1);

  // v1 header at byte 8: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len.
  std::string v1 = read_file(dir / "small_v1.bin");
  put_i32(v1, 8 + 8, 1000);  // n_layers 1000: the weights of 999 more layers are not in the file
  write_bytes(dir / "layers.bin", v1);
  test::check_error([&] { load_checkpoint(dir / "layers.bin"); },
                    {"layers.bin", "n_layers=1000", "truncated", "weights would need", "MiB"});

  v1 = read_file(dir / "small_v1.bin");
  put_i32(v1, 8, 65536), put_i32(v1, 8 + 4, 262144), put_i32(v1, 8 + 8, 1024), put_i32(v1, 8 + 20, 1 << 20);
  write_bytes(dir / "huge.bin", v1);  // every field at its bound: a size near 2^46 bytes, in range of int64
  test::check_error([&] { load_checkpoint(dir / "huge.bin"); }, {"huge.bin", "truncated", "GiB"});

  // Out-of-range fields are named with their bound.
  v1 = read_file(dir / "small_v1.bin");
  put_i32(v1, 8 + 8, 4096);
  write_bytes(dir / "l4096.bin", v1);
  test::check_error([&] { load_checkpoint(dir / "l4096.bin"); }, {"l4096.bin", "n_layers = 4096", "1..1024"});
  v1 = read_file(dir / "small_v1.bin");
  put_i32(v1, 8 + 24, 1 << 20);
  write_bytes(dir / "seq.bin", v1);
  test::check_error([&] { load_checkpoint(dir / "seq.bin"); }, {"seq.bin", "seq_len = 1048576", "1..131072"});

  // Legacy: the RoPE tables scale with seq_len, so a larger seq_len is a truncated file too.
  std::string legacy = read_file(dir / "small_legacy.bin");
  put_i32(legacy, 24, 4096);
  write_bytes(dir / "legacy_seq.bin", legacy);
  test::check_error([&] { load_checkpoint(dir / "legacy_seq.bin"); }, {"legacy_seq.bin", "seq_len=4096", "truncated"});
}

TEST_CASE("D7 reproducers: KV-cache bombs are rejected at the header", "[unit][llm][checkpoint][fuzz]") {
  const auto bomb = test::fuzz_file("v1_kvbomb.bin"), seq = test::fuzz_file("v1_seq1M.bin");
  if (!test::have_file(bomb) || !test::have_file(seq)) return;
  test::check_error([&] { load_checkpoint(bomb); }, {"v1_kvbomb.bin", "n_layers = 4096", "out of range"});
  test::check_error([&] { load_checkpoint(seq); }, {"v1_seq1M.bin", "seq_len = 1048576", "out of range"});
}

TEST_CASE("the KV cache holds the positions used, not seq_len", "[unit][llm]") {
  Transformer model(test::stories260k());
  CHECK(model.kv_positions() == 0);
  std::vector<int> tokens = {1, 403, 407, 261, 378};
  model.prefill(tokens);
  CHECK(model.kv_positions() == 5);
  // Decoding grows it (doubling, the cached positions kept): the same logits as one prefill of all tokens.
  std::vector<float> last;
  for (int pos = 5; pos < 40; ++pos) {
    tokens.push_back(300 + pos);
    const auto logits = model.decode(tokens.back(), pos);
    last.assign(logits.begin(), logits.end());
  }
  CHECK(model.kv_positions() >= 40);
  CHECK(model.kv_positions() <= 80);
  Transformer once(test::stories260k());
  const auto all = once.prefill(tokens);
  CHECK(once.kv_positions() == 40);
  REQUIRE(all.size() == last.size());
  for (std::size_t i = 0; i < last.size(); ++i) CHECK(last[i] == Approx(all[i]).margin(1e-4));
}

TEST_CASE("the weights, the KV cache and the forward scratch are checked against --max-memory before allocating",
          "[unit][llm][checkpoint]") {
  // A model written by the test whose buffers are known in closed form: dim 64, 16 layers, 4 KV heads of 16,
  // vocab 32, seq_len 4096. KV cache: 2 (keys, values) x 16 layers x kv_dim 64 x 4 bytes = 8 KiB per position.
  LlamaConfig c;
  c.dim = 64, c.hidden_dim = 64, c.n_layers = 16, c.n_heads = 4, c.n_kv_heads = 4, c.vocab_size = 32;
  c.seq_len = 4096;
  std::vector<float> w(static_cast<std::size_t>(c.parameter_count()), 0.01f);
  const std::int64_t weight_bytes = 4 * c.parameter_count();
  REQUIRE(weight_bytes > (std::int64_t{1} << 20));  // over a 1 MiB limit, under a 4 MiB one
  REQUIRE(weight_bytes < (std::int64_t{4} << 20));
  test::ScratchDir dir("budget");
  save_checkpoint(Checkpoint::from_weights(c, w), dir / "m.bin", CheckpointFormat::V1);
  const std::int64_t before = saffire::arch::memory_limit();

  saffire::arch::set_memory_limit(std::int64_t{1} << 20);
  test::check_error([&] { load_checkpoint(dir / "m.bin"); }, {"m.bin", "the checkpoint's weights would need", "1.00 MiB"});

  saffire::arch::set_memory_limit(std::int64_t{4} << 20);
  const Checkpoint ckpt = load_checkpoint(dir / "m.bin");
  // 4 MiB holds the cache of 256 positions (2 MiB), not that of 600 (600 x 8 KiB = 4.69 MiB).
  Transformer model(ckpt);
  std::vector<int> tokens(256, 3);
  CHECK_NOTHROW(model.prefill(tokens));
  CHECK(model.kv_positions() == 256);
  Transformer fresh(ckpt);
  std::vector<int> many(600, 3);
  test::check_error([&] { fresh.prefill(many); },
                    {"m.bin", "the KV cache of 600 positions", "would need 4.69 MiB", "--ctx"});
  CHECK(fresh.kv_positions() == 0);  // nothing was allocated
  saffire::arch::set_memory_limit(before);
}
