#include "models/engine/cpu_engine.hpp"

#include <stdexcept>

namespace saffire::models {

CpuGemmEngine::CpuGemmEngine(std::string_view kernel_name, int threads)
    : m_kernel(make_int8_gemm_kernel(kernel_name)), m_threads(threads) {
  if (threads < 0) throw std::invalid_argument("CpuGemmEngine: threads must be >= 0 (0 = all available)");
}

void CpuGemmEngine::gemm(const GemmId& /*id*/, const Int8GemmArgs& args) { m_kernel->run(args, m_threads); }

std::unique_ptr<GemmEngine> make_cpu_engine(std::string_view kernel_name, int threads) {
  return std::make_unique<CpuGemmEngine>(kernel_name, threads);
}

}  // namespace saffire::models
