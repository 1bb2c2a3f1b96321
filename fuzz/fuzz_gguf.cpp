// libFuzzer target: a GGUF file (`--model FILE.gguf`): its tokenizer, and its llama checkpoint loaded both ways
// (FP32 copy, then mapped projections read row by row) and run for two tokens in FP32.
#include <memory>
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "models/llm/gguf_checkpoint.hpp"
#include "models/llm/transformer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  saffire::fuzz::set_limits();
  const auto path = saffire::fuzz::as_file(data, size, "model.gguf");
  saffire::fuzz::expect_clean([&] {
    using namespace saffire::models::llm;
    const auto file = std::make_shared<const GgufFile>(path);
    if (const auto tok = load_gguf_tokenizer(*file)) (void)tok->encode("a cat", true, false);
    const Checkpoint ckpt = load_gguf_checkpoint(file);
    Transformer model(ckpt);
    const int vocab = ckpt.config().vocab_size;
    const std::vector<int> tokens = {1 % vocab, 2 % vocab};
    model.prefill(tokens);
    const Checkpoint mapped = load_gguf_checkpoint(file, WeightStorage::MappedProjections);
    std::vector<float> row(static_cast<std::size_t>(mapped.config().dim));
    mapped.projection_row(saffire::models::Component::Q, 0, 0, row);
  });
  return 0;
}
