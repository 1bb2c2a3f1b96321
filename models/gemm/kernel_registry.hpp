#pragma once
// Internal: constructors of the concrete INT8 GEMM kernels, used only by the factory in int8_gemm.cpp.
// Each kernel lives in its own file (kernel_<name>.cpp); availability is decided at run time.
#include <memory>
#include <string>

#include "models/gemm/int8_gemm.hpp"

namespace saffire::models::detail {

std::unique_ptr<Int8GemmKernel> make_portable_kernel();

/// True when the CPU runs AVX2 (the kernel is compiled with target attributes, not -march).
bool avx2_kernel_supported();
std::unique_ptr<Int8GemmKernel> make_avx2_kernel();

/// True when oneDNN was found at build time (make_onednn_kernel() works even where the self-check
/// hides the kernel; tests use it on small operands, where oneDNN is exact on every CPU).
bool onednn_kernel_built();
/// Empty when oneDNN's s8s8s32 GEMM is built in and passed its exactness self-check on this machine;
/// otherwise why it is unavailable. The self-check runs once, on first call.
const std::string& onednn_kernel_unavailable_reason();
std::unique_ptr<Int8GemmKernel> make_onednn_kernel();

}  // namespace saffire::models::detail
