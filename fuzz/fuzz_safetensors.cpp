// libFuzzer target: a safetensors file (Hugging Face weights): header validation, then every tensor of at
// most 2^20 elements converted to FP32 as the Hugging Face loader converts it.
#include <vector>

#include "fuzz/fuzz_input.hpp"
#include "models/llm/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace saffire::models::llm;
  saffire::fuzz::set_limits();
  const auto path = saffire::fuzz::as_file(data, size, "model.safetensors");
  saffire::fuzz::expect_clean([&] {
    const SafetensorsFile file(path);
    for (const TensorView& t : file.tensors()) {
      if (t.elements > (1 << 20)) continue;
      if (t.dtype != TensorDtype::F32 && t.dtype != TensorDtype::F16 && t.dtype != TensorDtype::BF16) continue;
      std::vector<float> out(static_cast<std::size_t>(t.elements));
      tensor_to_f32(t, path, out);
    }
  });
  return 0;
}
