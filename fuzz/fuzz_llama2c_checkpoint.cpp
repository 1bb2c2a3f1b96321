// libFuzzer target: a llama2.c checkpoint (legacy or v1) loaded and run for two tokens in FP32.
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "models/llm/checkpoint.hpp"
#include "models/llm/transformer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  saffire::fuzz::set_limits();
  const auto path = saffire::fuzz::as_file(data, size, "model.bin");
  saffire::fuzz::expect_clean([&] {
    using namespace saffire::models::llm;
    const Checkpoint ckpt = load_checkpoint(path);
    Transformer model(ckpt);
    const int vocab = ckpt.config().vocab_size;
    const std::vector<int> tokens = {1 % vocab, 2 % vocab};
    model.prefill(tokens);
  });
  return 0;
}
