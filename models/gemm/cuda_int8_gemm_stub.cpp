// Stand-in for cuda_int8_gemm.cu when saffire is built without CUDA: the "cuda" kernel is never listed.
#include <stdexcept>

#include "models/gemm/cuda_int8_gemm.hpp"

namespace saffire::models {

const std::string& cuda_int8_gemm_unavailable_reason() {
  static const std::string reason = "saffire was built without CUDA (SAFFIRE_CUDA=OFF or no nvcc found by CMake)";
  return reason;
}

std::unique_ptr<Int8GemmKernel> make_cuda_int8_gemm_kernel(CudaGemmPath) {
  throw std::runtime_error("INT8 GEMM kernel 'cuda' is unavailable: " + cuda_int8_gemm_unavailable_reason());
}

}  // namespace saffire::models
