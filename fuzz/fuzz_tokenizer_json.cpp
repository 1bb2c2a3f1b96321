// libFuzzer target: a Hugging Face tokenizer.json loaded, then a fixed text encoded and decoded with it.
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "models/llm/tokenizer_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  saffire::fuzz::set_limits();
  const auto path = saffire::fuzz::as_file(data, size, "tokenizer.json");
  saffire::fuzz::expect_clean([&] {
    const saffire::models::llm::Tokenizer tok = saffire::models::llm::load_tokenizer_json(path);
    const std::vector<int> ids = tok.encode("Once upon a time, 42 cats \xC3\xA9t\xC3\xA9 \xF0\x9F\x90\x88.\n", true, true);
    (void)tok.decode(ids);
  });
  return 0;
}
