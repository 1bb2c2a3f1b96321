// The reference INT8 GEMM (naive_int8_gemm) and the kernel factory: which kernels this machine can
// run, in speed order, and construction by name.
#include "models/gemm/int8_gemm.hpp"

#include <stdexcept>

#include "models/gemm/cuda_int8_gemm.hpp"
#include "models/gemm/kernel_registry.hpp"

namespace saffire::models {

void naive_int8_gemm(const Int8GemmArgs& a) {
  for (std::int64_t i = 0; i < a.m; ++i) {
    for (std::int64_t j = 0; j < a.n; ++j) {
      std::uint32_t acc = a.accumulate ? static_cast<std::uint32_t>(a.y[i * a.ldy + j]) : 0u;
      for (std::int64_t p = 0; p < a.k; ++p) {
        acc += static_cast<std::uint32_t>(static_cast<std::int32_t>(a.x[i * a.ldx + p]) * a.w[p * a.ldw + j]);
      }
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

std::string join_names() {
  std::string s = "auto";
  for (const std::string& n : int8_gemm_kernel_names()) {
    s += ", " + n;
  }
  return s;
}

}  // namespace

std::vector<std::string> int8_gemm_kernel_names() {
  std::vector<std::string> names;
  // oneDNN first: where it passes the exactness check (VNNI CPUs) it is several times faster.
  if (detail::onednn_kernel_unavailable_reason().empty()) {
    names.emplace_back("onednn");
  }
  if (detail::avx2_kernel_supported()) {
    names.emplace_back("avx2");
  }
  names.emplace_back("portable");
  names.emplace_back("naive");
  // Last, so "auto" never picks it: it copies operands to the GPU and back on every call.
  if (cuda_int8_gemm_unavailable_reason().empty()) {
    names.emplace_back("cuda");
  }
  return names;
}

std::unique_ptr<Int8GemmKernel> make_int8_gemm_kernel(std::string_view name) {
  if (name == "auto") {
    return make_int8_gemm_kernel(int8_gemm_kernel_names().front());
  }
  if (name == "naive") {
    return std::make_unique<NaiveKernel>();
  }
  if (name == "portable") {
    return detail::make_portable_kernel();
  }
  if (name == "avx2") {
    if (detail::avx2_kernel_supported()) {
      return detail::make_avx2_kernel();
    }
    throw std::invalid_argument(
        "INT8 GEMM kernel 'avx2' is unavailable: this CPU lacks AVX2 (expected one of: " + join_names() + ")");
  }
  if (name == "cuda") {
    const std::string& why = cuda_int8_gemm_unavailable_reason();
    if (why.empty()) {
      return make_cuda_int8_gemm_kernel();
    }
    throw std::invalid_argument("INT8 GEMM kernel 'cuda' is unavailable: " + why +
                                " (expected one of: " + join_names() + ")");
  }
  if (name == "onednn") {
    const std::string& why = detail::onednn_kernel_unavailable_reason();
    if (why.empty()) {
      return detail::make_onednn_kernel();
    }
    throw std::invalid_argument("INT8 GEMM kernel 'onednn' is unavailable: " + why +
                                " (expected one of: " + join_names() + ")");
  }
  throw std::invalid_argument("unknown INT8 GEMM kernel '" + std::string(name) + "' (expected one of: " + join_names() +
                              ")");
}

}  // namespace saffire::models
