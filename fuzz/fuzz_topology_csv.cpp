// libFuzzer target: a topology CSV (SCALE-Sim GEMM `Layer,M,N,K` or convolution format, told by the header).
#include "fuzz/fuzz_input.hpp"
#include "models/workload/topology_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  saffire::fuzz::set_limits();
  const std::string text = saffire::fuzz::as_text(data, size);
  saffire::fuzz::expect_clean([&] { (void)saffire::models::parse_topology_csv(text, "fuzz.csv"); });
  return 0;
}
