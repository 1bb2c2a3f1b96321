// libFuzzer target: a Hugging Face config.json (LLaMA and Mistral layouts).
#include "fuzz/fuzz_input.hpp"
#include "models/llm/hf_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  saffire::fuzz::set_limits();
  const auto path = saffire::fuzz::as_file(data, size, "config.json");
  saffire::fuzz::expect_clean([&] { (void)saffire::models::llm::read_hf_config(path); });
  return 0;
}
