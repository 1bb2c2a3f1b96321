#pragma once
// CpuGemmEngine: the plain CPU GemmEngine. It runs every GEMM on one exact INT8 kernel chosen by name
// (make_int8_gemm_kernel: "auto" picks the fastest kernel usable on this machine) and adds nothing else.
// The array (SystemC) and cuda engines live elsewhere and must give bit-identical INT32 outputs.
#include <memory>
#include <string>
#include <string_view>

#include "arch/array_config.hpp"
#include "models/engine/gemm_engine.hpp"

namespace saffire::models {

class CpuGemmEngine final : public GemmEngine {
 public:
  /// kernel_name: "auto" or one of int8_gemm_kernel_names() (throws std::invalid_argument otherwise);
  /// threads: OpenMP threads the kernel may use per call (0 = all available).
  /// array: the PE design and dataflow whose order numeric_gemm follows (default: the default array).
  explicit CpuGemmEngine(std::string_view kernel_name = "auto", int threads = 1, const arch::ArrayConfig& array = {});

  std::string_view name() const override { return "cpu"; }
  void gemm(const GemmId& id, const Int8GemmArgs& args) override;
  /// models::ordered_gemm in the configured array's formats and order.
  void numeric_gemm(const GemmId& id, const NumericGemmArgs& args) override;
  void numeric_gemm_as(const GemmId& id, const NumericGemmArgs& args, const arch::PeNumerics& numerics) override;

  /// The kernel actually used (e.g. "naive" or a SIMD kernel), for reports.
  std::string_view kernel_name() const { return m_kernel->name(); }
  int threads() const { return m_threads; }

 private:
  std::unique_ptr<Int8GemmKernel> m_kernel;
  int m_threads;
  arch::ArrayConfig m_array;
};

/// Factory for the cpu engine (the sim/ engine factory maps "cpu" here).
std::unique_ptr<GemmEngine> make_cpu_engine(std::string_view kernel_name = "auto", int threads = 1,
                                            const arch::ArrayConfig& array = {});

}  // namespace saffire::models
