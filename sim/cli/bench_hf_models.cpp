#include "sim/cli/bench_hf_models.hpp"

#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "models/llm/hf_checkpoint.hpp"
#include "models/llm/synthetic_hf_model.hpp"
#include "models/llm/transformer.hpp"
#include "sim/engine_factory.hpp"
#include "sim/sweep/process_pool.hpp"

namespace saffire::cli {

namespace fs = std::filesystem;
namespace llm = models::llm;

namespace {

// A temporary folder removed when it goes out of scope (the bench's multi-GB files never stay behind).
struct TempFolder {
  fs::path path;
  explicit TempFolder(const std::string& tag)
      : path(fs::temp_directory_path() / fmt::format("saffire_bench_{}_{}", tag, getpid())) {}
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
};

llm::SyntheticHfModel gpt2_bench_shape(bool full) {
  llm::SyntheticHfModel m = llm::gpt2_small_shape();
  if (!full) {  // GPT-2's vocabulary, a quarter of its width and layers
    m.dim = 256;
    m.hidden_dim = 1024;
    m.n_layers = 3;
    m.n_heads = m.n_kv_heads = 4;
    m.seq_len = 256;
  }
  m.dtype = llm::TensorDtype::BF16;
  return m;
}

llm::SyntheticHfModel tinyllama_bench_shape(bool full) {
  llm::SyntheticHfModel m = llm::tinyllama_shape();
  if (!full) {
    m.dim = 512;
    m.hidden_dim = 1408;
    m.n_layers = 4;
    m.n_heads = 8;
    m.n_kv_heads = 2;
    m.seq_len = 256;
  }
  m.dtype = llm::TensorDtype::BF16;
  return m;
}

std::int64_t proc_status_kib(const char* field) {  // VmHWM, VmRSS of this process (0 when unreadable)
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(line.find(':') + 1));
  }
  return 0;
}

double gib(double bytes) { return bytes / (1024.0 * 1024.0 * 1024.0); }

}  // namespace

std::unique_ptr<models::GemmEngine> make_bench_engine(const std::string& name, bool json) {
  sim::EngineOptions eo;
  eo.threads = 1;
  try {
    return sim::make_gemm_engine(name, eo);
  } catch (const std::exception& e) {
    if (!json) fmt::print("  {:<6} skipped: {}\n", name, e.what());
    return nullptr;
  }
}

void bench_hf_eval(nlohmann::json& out, bool json, bool full) {
  const llm::SyntheticHfModel shape = gpt2_bench_shape(full);
  const int ctx = full ? 256 : 128, sequences = 2;
  TempFolder dir("gpt2");
  llm::write_synthetic_hf_model(dir.path, shape);
  const llm::Checkpoint ckpt = llm::load_hf_checkpoint(dir.path, nullptr, llm::WeightStorage::MappedProjections);
  const double params = static_cast<double>(ckpt.config().parameter_count());
  if (!json)
    fmt::print("\nW8A8 eval of a synthetic GPT-2{} checkpoint ({:.0f}M parameters, BF16, random weights; {} x {} tokens, "
               "all logits, 1 thread), tokens/s per engine\n",
               full ? "-small" : "-shaped", params / 1e6, sequences, ctx);
  std::vector<int> tokens(static_cast<std::size_t>(ctx));
  for (int i = 0; i < ctx; ++i) tokens[static_cast<std::size_t>(i)] = (i * 7919 + 13) % shape.vocab_size;
  auto& j = out["hf_eval"];
  j["model"] = full ? "gpt2-small" : "gpt2-shaped-small";
  j["parameters"] = params;
  j["tokens"] = sequences * ctx;
  llm::InferenceOptions inf;
  inf.precision = llm::Precision::W8A8;
  for (const auto& name : sim::gemm_engine_names()) {
    const auto engine = make_bench_engine(name, json);
    if (!engine) continue;
    llm::Transformer model(ckpt, inf, engine.get());  // quantization is not timed
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = 0; s < sequences; ++s) {
      model.begin_sequence(s);
      (void)model.prefill(tokens, 0, true);
    }
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double tps = sequences * ctx / std::max(sec, 1e-9);
    j["tokens_per_s"][name] = tps;
    if (!json) fmt::print("  {:<6} {:8.1f} tokens/s\n", name, tps);
  }
}

void hf_load_rss_child(const std::string& dir) {
  const std::int64_t before_kib = proc_status_kib("VmRSS:");
  const auto t0 = std::chrono::steady_clock::now();
  const llm::Checkpoint ckpt = llm::load_hf_checkpoint(dir, nullptr, llm::WeightStorage::MappedProjections);
  llm::InferenceOptions inf;
  inf.precision = llm::Precision::W8A8;
  sim::EngineOptions eo;
  eo.threads = 1;
  auto engine = sim::make_gemm_engine("cpu", eo);
  llm::Transformer model(ckpt, inf, engine.get());
  (void)model.decode(1, 0);  // the loaded model runs
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::error_code ec;
  const nlohmann::json r = {
      {"peak_rss_bytes", 1024 * std::max<std::int64_t>(proc_status_kib("VmHWM:"), u.ru_maxrss)},
      {"rss_before_load_bytes", 1024 * before_kib},
      {"int8_bytes", llm::w8a8_weight_bytes(ckpt.config(), models::llm::WeightGranularity::PerChannel)},
      {"resident_fp32_bytes", ckpt.resident_fp32_bytes()},
      {"mapped_bytes", static_cast<std::int64_t>(fs::file_size(fs::path(dir) / "model.safetensors", ec))},
      {"parameters", ckpt.config().parameter_count()},
      {"seconds", seconds}};
  fmt::print("{}\n", r.dump());
}

void bench_hf_load_rss(nlohmann::json& out, bool json, bool full) {
  const llm::SyntheticHfModel shape = tinyllama_bench_shape(full);
  TempFolder dir("tinyllama");
  const auto t0 = std::chrono::steady_clock::now();
  llm::write_synthetic_hf_model(dir.path, shape);
  const double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sim::ProcessPool pool(sim::self_executable(), 1);
  nlohmann::json r;
  pool.run({{"bench", "--load-rss-child", dir.path.string()}}, [&](const sim::ChildResult& c) {
    if (c.exit_code != 0) throw std::runtime_error(fmt::format("bench --load-rss: the loading child failed: {}", c.err));
    r = nlohmann::json::parse(c.out);
  });
  const double int8 = r["int8_bytes"].get<double>(), mapped = r["mapped_bytes"].get<double>();
  const double peak = r["peak_rss_bytes"].get<double>(), target = 1.5 * int8 + mapped;
  r["target_bytes"] = target;
  r["within_target"] = peak < target;
  r["model"] = full ? "tinyllama-1.1b" : "tinyllama-shaped-small";
  r["write_seconds"] = write_s;
  out["hf_load_rss"] = r;
  if (!json) {
    fmt::print("\nW8A8 load of a synthetic TinyLlama{} BF16 checkpoint ({:.2f}B parameters), child process\n",
               full ? "-1.1B" : "-shaped", r["parameters"].get<double>() / 1e9);
    fmt::print("  file {:.2f} GiB (written in {:.1f} s), INT8 weights {:.2f} GiB, resident FP32 {:.2f} GiB\n", gib(mapped),
               write_s, gib(int8), gib(r["resident_fp32_bytes"].get<double>()));
    fmt::print("  peak RSS {:.2f} GiB (before loading {:.2f} GiB; load + quantize {:.1f} s) vs target 1.5 x INT8 + "
               "mapped file = {:.2f} GiB: {}\n",
               gib(peak), gib(r["rss_before_load_bytes"].get<double>()), r["seconds"].get<double>(), gib(target),
               peak < target ? "within" : "OVER");
  }
}

}  // namespace saffire::cli
