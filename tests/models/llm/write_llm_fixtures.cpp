// Writes stories260K (llama2.c) in the other formats the CLI accepts, for the shell tests of the commands
// (hf_cli_test.sh): OUT/stories260K_hf (Hugging Face folder: config.json, F32 model.safetensors, tokenizer.json
// equivalent of tok512), OUT/stories260K.gguf (F32, tok512's vocabulary inside), OUT/stories260K_novocab.gguf
// (no tokenizer: --tokenizer is required) and OUT/bad_magic.gguf (the F32 file with its magic broken).
// Usage: write_llm_fixtures MODELS_DIR OUT_DIR (MODELS_DIR holds stories260K.bin and tok512.bin).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>

#include "gguf_fixture.hpp"
#include "hf_fixture.hpp"

namespace fs = std::filesystem;
namespace llm = saffire::models::llm;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: write_llm_fixtures MODELS_DIR OUT_DIR\n");
    return 2;
  }
  try {
    const fs::path models = argv[1], out = argv[2];
    const llm::Checkpoint ckpt = llm::load_checkpoint(models / "stories260K.bin");
    const llm::Tokenizer tok(models / "tok512.bin");
    fs::create_directories(out);
    llm::test::write_llama_hf_folder(out / "stories260K_hf", ckpt, "F32", &tok);
    llm::test::write_llama_gguf(out / "stories260K.gguf", ckpt, llm::test::kGgmlF32, &tok);
    llm::test::write_llama_gguf(out / "stories260K_novocab.gguf", ckpt, llm::test::kGgmlF32, nullptr);
    fs::copy_file(out / "stories260K.gguf", out / "bad_magic.gguf", fs::copy_options::overwrite_existing);
    std::fstream bad(out / "bad_magic.gguf", std::ios::in | std::ios::out | std::ios::binary);
    bad.write("GGUX", 4);  // "GGUF" is the magic
    return bad ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_llm_fixtures: %s\n", e.what());
    return 1;
  }
}
