#include "models/gemm/int8_gemm.hpp"

#include <stdexcept>

namespace saffire::models {

void naive_int8_gemm(const Int8GemmArgs& a) {
  for (std::int64_t i = 0; i < a.m; ++i) {
    for (std::int64_t j = 0; j < a.n; ++j) {
      std::uint32_t acc = a.accumulate ? static_cast<std::uint32_t>(a.y[i * a.ldy + j]) : 0u;
      for (std::int64_t p = 0; p < a.k; ++p)
        acc += static_cast<std::uint32_t>(static_cast<std::int32_t>(a.x[i * a.ldx + p]) * a.w[p * a.ldw + j]);
      a.y[i * a.ldy + j] = static_cast<std::int32_t>(acc);
    }
  }
}

namespace {
class NaiveKernel final : public Int8GemmKernel {
 public:
  std::string_view name() const override { return "naive"; }
  void run(const Int8GemmArgs& args, int) const override { naive_int8_gemm(args); }
};
}  // namespace

std::vector<std::string> int8_gemm_kernel_names() { return {"naive"}; }

std::unique_ptr<Int8GemmKernel> make_int8_gemm_kernel(std::string_view name) {
  if (name == "auto" || name == "naive") return std::make_unique<NaiveKernel>();
  throw std::invalid_argument("unknown INT8 GEMM kernel '" + std::string(name) + "' (expected one of: auto, naive)");
}

}  // namespace saffire::models
