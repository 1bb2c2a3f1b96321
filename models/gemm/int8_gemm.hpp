#pragma once
// INT8 x INT8 -> INT32 GEMM kernels: the reference math every engine must match bit for bit.
// Y[m x n] (=|+=) X[m x k] * W[k x n], all row-major with leading dimensions; INT32 wrap-around.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace saffire::models {

struct Int8GemmArgs {
  std::int64_t m = 0, n = 0, k = 0;
  const std::int8_t* x = nullptr;  // (m, k) int8 row-major, leading dimension ldx
  std::int64_t ldx = 0;
  const std::int8_t* w = nullptr;  // (k, n) int8 row-major, leading dimension ldw
  std::int64_t ldw = 0;
  std::int32_t* y = nullptr;       // (m, n) int32 row-major, leading dimension ldy
  std::int64_t ldy = 0;
  bool accumulate = false;         // false: Y = X*W; true: Y += X*W (wrap-around mod 2^32)
};

/// One INT8 GEMM implementation. Contract: run() is exact (bit-identical to naive_int8_gemm for all
/// inputs, INT8 extremes included), thread-safe for disjoint outputs, and uses at most `threads`
/// OpenMP threads (0 = all available).
class Int8GemmKernel {
 public:
  virtual ~Int8GemmKernel() = default;
  virtual std::string_view name() const = 0;
  virtual void run(const Int8GemmArgs& args, int threads) const = 0;
};

/// The triple loop every kernel is tested against.
void naive_int8_gemm(const Int8GemmArgs& args);

/// Names of the kernels usable on this machine: the CPU kernels fastest first ("auto" picks the first),
/// then "naive", then "cuda" when a GPU is present (it copies operands to the device on every call, so
/// it is never "auto"; see cuda_int8_gemm.hpp).
std::vector<std::string> int8_gemm_kernel_names();

/// Creates a kernel by name ("auto", or one of int8_gemm_kernel_names()); throws std::invalid_argument
/// listing the valid names on an unknown or unavailable name.
std::unique_ptr<Int8GemmKernel> make_int8_gemm_kernel(std::string_view name = "auto");

}  // namespace saffire::models
