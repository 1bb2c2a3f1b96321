#pragma once
// The "cuda" INT8 GEMM kernel: exact int8 x int8 -> int32 on an NVIDIA GPU (cuBLAS cublasGemmEx with
// CUDA_R_8I inputs and CUBLAS_COMPUTE_32I, or a plain CUDA kernel where cuBLAS refuses the shape).
// Operands stay in host memory: every run() copies X, W (and Y when accumulating) to the device and Y
// back, so it pays off for large GEMMs only. Built when CMake found nvcc (SAFFIRE_HAVE_CUDA); usable
// when a device of compute capability >= 9.0 is present at run time (the code is compiled for sm_90).
#include <memory>
#include <string>

#include "models/gemm/int8_gemm.hpp"

namespace saffire::models {

/// Empty when the "cuda" kernel can run here; otherwise why not (built without CUDA, no device, ...).
/// Checked once, on first call.
const std::string& cuda_int8_gemm_unavailable_reason();

/// Which GPU code computes the products: cuBLAS with the custom kernel as fallback (automatic), or one
/// of them only (for tests; `cublas` still falls back when cuBLAS refuses a shape).
enum class CudaGemmPath { automatic, cublas, custom };

/// Creates the GPU kernel; throws std::runtime_error when cuda_int8_gemm_unavailable_reason() is not
/// empty. run() serializes concurrent calls on one kernel object and ignores `threads`.
std::unique_ptr<Int8GemmKernel> make_cuda_int8_gemm_kernel(CudaGemmPath path = CudaGemmPath::automatic);

}  // namespace saffire::models
