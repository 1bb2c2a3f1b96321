// libFuzzer target: SCALE-Sim's own .cfg file (`--scalesim-config`).
#include "fuzz/fuzz_input.hpp"
#include "sim/memory/scalesim_config_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  saffire::fuzz::set_limits();
  const std::string text = saffire::fuzz::as_text(data, size);
  saffire::fuzz::expect_clean([&] { (void)saffire::memory::parse_scalesim_config(text, "fuzz.cfg"); });
  return 0;
}
