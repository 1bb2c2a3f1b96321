// Writes the seed corpus of every fuzz target: DIR/<target>/<seed>, valid inputs made by saffire's own
// writers (checkpoints, traces, configs) and by the test fixtures (safetensors, config.json, tokenizer.json),
// plus the repository's example files under SOURCE (configs, sweeps, DRAM presets, topologies). Every seed is
// read back with its target's reader and must be accepted: a seed the reader rejects is a failure (exit 1).
// Nothing is taken from ../shared/fuzz (those reproducers are regression inputs of the tests).
//
// Usage: write_seed_corpus DIR SOURCE
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "abft/abft_config.hpp"
#include "arch/array_config_file.hpp"
#include "arch/tech/sram_bitcell.hpp"
#include "arch/tech/tech_table.hpp"
#include "arch/timing/voltage_config.hpp"
#include "arch/toml_file.hpp"
#include "models/llm/checkpoint.hpp"
#include "models/llm/gguf_file.hpp"
#include "models/llm/hf_config.hpp"
#include "models/llm/safetensors.hpp"
#include "models/llm/tokenizer.hpp"
#include "models/llm/tokenizer_json.hpp"
#include "models/workload/topology_csv.hpp"
#include "sim/faults/bit_error_table.hpp"
#include "sim/memory/dram/dram_spec.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/memory/scalesim_config_file.hpp"
#include "sim/sweep/sweep_config.hpp"
#include "tests/models/llm/gguf_fixture.hpp"
#include "tests/models/llm/hf_fixture.hpp"
#include "tests/traces/sample_records.hpp"
#include "traces/trace_reader.hpp"
#include "traces/trace_writer.hpp"

namespace fs = std::filesystem;
using namespace saffire;

namespace {

int g_failures = 0;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Reads `seed` back with `check`; a seed its reader rejects is reported.
void verify(const fs::path& seed, const std::function<void(const fs::path&)>& check) {
  try {
    check(seed);
  } catch (const std::exception& e) {
    std::cerr << "write_seed_corpus: seed " << seed << " is rejected by its reader: " << e.what() << "\n";
    ++g_failures;
  }
}

// A small model: dim 8, hidden 12, 1 layer, 4 heads, 2 KV heads, vocab 16, seq_len 32 (about 1.3 KB).
models::llm::Checkpoint tiny_model(bool shared_classifier) {
  models::llm::LlamaConfig c;
  c.dim = 8, c.hidden_dim = 12, c.n_layers = 1, c.n_heads = 4, c.n_kv_heads = 2, c.vocab_size = 16, c.seq_len = 32;
  c.shared_classifier = shared_classifier;
  std::vector<float> w(static_cast<std::size_t>(c.parameter_count()));
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(static_cast<int>(i % 13) - 6);
  return models::llm::Checkpoint::from_weights(c, w);
}

// tokenizer.bin in llama2.c's layout: int32 max_token_length, then per token float32 score, int32 length, bytes.
std::string tokenizer_bin() {
  const std::vector<std::pair<std::string, float>> vocab = {
      {"<unk>", 0}, {"\n<s>\n", 0}, {"\n</s>\n", 0}, {"<0x0A>", 0}, {"<0xC3>", 0}, {" ", -1}, {"a", -2},
      {"c", -3},    {"e", -4},      {"n", -5},       {"o", -6},      {"t", -7},      {"at", -8}, {" c", -9},
      {" cat", -10}, {"on", -11},   {" on", -12},    {"ce", -13}};
  std::string out(4, '\0');
  std::int32_t max_len = 0;
  for (const auto& [piece, score] : vocab) {
    max_len = std::max<std::int32_t>(max_len, static_cast<std::int32_t>(piece.size()));
    const auto len = static_cast<std::int32_t>(piece.size());
    out.append(reinterpret_cast<const char*>(&score), 4);
    out.append(reinterpret_cast<const char*>(&len), 4);
    out += piece;
  }
  std::memcpy(out.data(), &max_len, 4);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: write_seed_corpus DIR SOURCE\n";
    return 2;
  }
  const fs::path out = argv[1], source = argv[2];
  try {
    const auto dir = [&](const std::string& target) {
      const fs::path d = out / target;
      fs::create_directories(d);
      return d;
    };
    const auto copy_seed = [&](const fs::path& from, const fs::path& to_dir) {
      const fs::path to = to_dir / from.filename();
      write_all(to, read_all(from));
      return to;
    };

    // llama2.c checkpoints: v1, legacy, legacy with a separate classifier.
    {
      const fs::path d = dir("llama2c_checkpoint");
      using models::llm::CheckpointFormat;
      models::llm::save_checkpoint(tiny_model(true), d / "tiny_v1.bin", CheckpointFormat::V1);
      models::llm::save_checkpoint(tiny_model(true), d / "tiny_legacy.bin", CheckpointFormat::Legacy);
      models::llm::save_checkpoint(tiny_model(false), d / "tiny_legacy_classifier.bin", CheckpointFormat::Legacy);
      for (const auto& e : fs::directory_iterator(d))
        verify(e.path(), [](const fs::path& p) { (void)models::llm::load_checkpoint(p); });
    }
    // tokenizer.bin, and the same vocabulary as a tokenizer.json (the test fixture's SentencePiece conversion).
    {
      const fs::path d = dir("tokenizer_bin");
      write_all(d / "tiny_tokenizer.bin", tokenizer_bin());
      verify(d / "tiny_tokenizer.bin", [](const fs::path& p) { (void)models::llm::Tokenizer(p).encode("a cat", true, false); });
      const fs::path j = dir("tokenizer_json");
      const models::llm::Tokenizer tok(d / "tiny_tokenizer.bin");
      models::llm::test::write_json(j / "spm_tokenizer.json", models::llm::test::spm_tokenizer_json(tok));
      verify(j / "spm_tokenizer.json", [](const fs::path& p) { (void)models::llm::load_tokenizer_json(p); });
    }
    // Hugging Face: config.json and model.safetensors in F32, F16 and BF16.
    {
      const fs::path c = dir("hf_config"), s = dir("safetensors");
      const models::llm::Checkpoint model = tiny_model(false);
      models::llm::test::write_json(c / "config.json", models::llm::test::llama_hf_config(model.config()));
      verify(c / "config.json", [](const fs::path& p) { (void)models::llm::read_hf_config(p); });
      for (const std::string dtype : {"F32", "F16", "BF16"}) {
        const fs::path f = s / ("tiny_" + dtype + ".safetensors");
        models::llm::test::write_safetensors(f, models::llm::test::llama_hf_tensors(model), dtype);
        verify(f, [](const fs::path& p) { (void)models::llm::SafetensorsFile(p); });
      }
    }
    // GGUF: the tiny model as F32 and F16 with the tiny vocabulary, and a 32-wide model as Q8_0 (whole blocks).
    {
      const fs::path d = dir("gguf");
      const models::llm::Tokenizer tok(dir("tokenizer_bin") / "tiny_tokenizer.bin");
      using namespace models::llm::test;
      write_llama_gguf(d / "tiny_f32.gguf", tiny_model(false), kGgmlF32, &tok);
      write_llama_gguf(d / "tiny_f16.gguf", tiny_model(true), kGgmlF16, nullptr);
      models::llm::LlamaConfig c = tiny_model(false).config();
      c.dim = 32, c.hidden_dim = 64;
      std::vector<float> w(static_cast<std::size_t>(c.parameter_count()));
      for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(static_cast<int>(i % 13) - 6);
      write_llama_gguf(d / "wide_q8_0.gguf", models::llm::Checkpoint::from_weights(c, w), kGgmlQ8_0, nullptr);
      for (const auto& e : fs::directory_iterator(d))
        verify(e.path(), [](const fs::path& p) { (void)models::llm::GgufFile(p); });
    }
    // Topology CSVs: the repository's, one written by format_topology_csv, a convolution CSV.
    {
      const fs::path d = dir("topology_csv");
      for (const auto& e : fs::directory_iterator(source / "experiments" / "topologies"))
        if (e.path().extension() == ".csv") copy_seed(e.path(), d);
      models::TopologyLayer q;
      q.name = "q", q.shape = {64, 48, 32};
      models::TopologyLayer ffn;
      ffn.name = "ffn", ffn.shape = {7, 3, 1000};
      write_all(d / "written.csv", models::format_topology_csv({q, ffn}));
      write_all(d / "conv.csv",
                "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
                "Conv1, 32, 32, 3, 3, 3, 16, 1,\nConv2_DP, 16, 16, 3, 3, 16, 16, 2,\n");
      for (const auto& e : fs::directory_iterator(d))
        verify(e.path(), [](const fs::path& p) { (void)models::parse_topology_csv(read_all(p), p.string()); });
    }
    // TOML configs: the repository's configs, sweeps and DRAM presets, and every reader's own to_toml.
    {
      const fs::path d = dir("config_toml");
      for (const fs::path& folder : {source / "experiments" / "configs", source / "sim" / "memory" / "dram" / "presets"})
        for (const auto& e : fs::directory_iterator(folder))
          if (e.path().extension() == ".toml") copy_seed(e.path(), d);
      for (const auto& e : fs::directory_iterator(source / "experiments"))
        if (e.is_directory())
          for (const auto& f : fs::directory_iterator(e.path()))
            if (f.path().filename().string().rfind("sweep", 0) == 0 && f.path().extension() == ".toml")
              write_all(d / (e.path().filename().string() + "_" + f.path().filename().string()), read_all(f.path()));
      const arch::ArrayConfig array = arch::parse_array_config("[arch]\nrows = 16\ncols = 8\n", "seed");
      write_all(d / "arch.toml", arch::to_toml(array));
      write_all(d / "voltage.toml", arch::to_toml(array) + "\n" + arch::to_toml(arch::voltage_defaults(array)));
      write_all(d / "tech14.toml", arch::to_toml(arch::TechTable::for_node(14)));
      write_all(d / "abft.toml", abft::to_toml(abft::AbftConfig{}));
      write_all(d / "memory.toml", memory::to_toml(memory::parse_memory_config("", "seed")));
      // Each seed must be accepted by at least one reader.
      for (const auto& e : fs::directory_iterator(d)) {
        verify(e.path(), [](const fs::path& p) {
          const std::string text = read_all(p);
          const std::vector<std::function<void()>> readers = {
              [&] { (void)arch::parse_array_config(text, p.string()); },
              [&] { (void)memory::dram::parse_dram_spec(text, p.string()); },
              [&] { (void)sim::parse_sweep_config(text, p.string(), p.parent_path()).points(); }};
          std::string errors;
          for (const auto& r : readers) {
            try {
              r();
              return;
            } catch (const std::exception& ex) {
              errors += std::string("\n  ") + ex.what();
            }
          }
          throw std::runtime_error("no reader accepts it:" + errors);
        });
      }
    }
    // CSV tables: fault table and SRAM failure table.
    {
      const fs::path d = dir("csv_tables");
      write_all(d / "fault_table.csv", "voltage,bit,probability\n0.7,20,1e-4\n0.6,20,1e-2\n0.6,3,0\n");
      write_all(d / "sram_failure.csv", "# chip 7\nvoltage,probability\n0.5,1e-2\n0.6,1e-6\n0.7,0\n");
      verify(d / "fault_table.csv", [](const fs::path& p) { (void)faults::BitErrorTable::parse(read_all(p), p.string()); });
      verify(d / "sram_failure.csv", [](const fs::path& p) { (void)arch::parse_sram_failure_table(read_all(p), p.string()); });
    }
    // SCALE-Sim .cfg (its documented layout).
    {
      const fs::path d = dir("scalesim_cfg");
      write_all(d / "scale.cfg",
                "[general]\nrun_name = seed\n\n[architecture_presets]\nArrayHeight:    16\nArrayWidth:     12\n"
                "IfmapSramSzkB:   6\nFilterSramSzkB:  5\nOfmapSramSzkB:   4\nIfmapOffset:    0\n"
                "FilterOffset:   10000000\nOfmapOffset:    20000000\nBandwidth : 10,20,30\nDataflow : os\n"
                "MemoryBanks:   1\n\n[run_presets]\nInterfaceBandwidth: USER\n");
      verify(d / "scale.cfg", [](const fs::path& p) { (void)memory::parse_scalesim_config(read_all(p), p.string()); });
    }
    // Traces: every table filled (the sample records of the trace tests).
    {
      const fs::path d = dir("trace");
      {
        traces::TraceWriter w(d / "sample.h5", traces::test::sample_run_info_with_command());
        for (const traces::GemmRecord& g : traces::test::sample_gemms(3)) w.append_gemm(g);
        w.append_faults(traces::test::sample_faults(4));
        w.append_decisions(traces::test::sample_decisions(3));
        w.append_points(traces::test::sample_points(2));
        w.append_memory(traces::test::sample_memory(3));
        w.close();
      }
      verify(d / "sample.h5", [](const fs::path& p) {
        const traces::TraceReader r(p);
        if (r.gemms().size() != 3 || r.points().size() != 2 || r.memory().size() != 3) throw std::runtime_error("tables not read back");
      });
    }
  } catch (const std::exception& e) {
    std::cerr << "write_seed_corpus: " << e.what() << "\n";
    return 1;
  }
  if (g_failures > 0) return 1;
  std::cout << "write_seed_corpus: seeds written to " << out << "\n";
  return 0;
}
