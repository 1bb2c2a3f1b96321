#include "models/engine/cpu_engine.hpp"

#include <stdexcept>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::models {

void GemmEngine::numeric_gemm(const GemmId& /*id*/, const NumericGemmArgs& /*args*/) {
  throw ConfigError("engine '" + std::string(name()) + "' runs INT8 GEMMs only (floating-point PEs: engines cpu and array)");
}

void GemmEngine::numeric_gemm_as(const GemmId& id, const NumericGemmArgs& args, const arch::PeNumerics& /*numerics*/) {
  numeric_gemm(id, args);  // the INT8-only engines throw there
}

CpuGemmEngine::CpuGemmEngine(std::string_view kernel_name, int threads, const arch::ArrayConfig& array)
    : m_kernel(make_int8_gemm_kernel(kernel_name)), m_threads(threads), m_array(array) {
  m_array.validate();
  if (threads < 0) throw std::invalid_argument("CpuGemmEngine: threads must be >= 0 (0 = all available)");
}

void CpuGemmEngine::gemm(const GemmId& /*id*/, const Int8GemmArgs& args) { m_kernel->run(args, m_threads); }

void CpuGemmEngine::numeric_gemm(const GemmId& /*id*/, const NumericGemmArgs& args) {
  ordered_gemm(args, m_array.numerics, accumulation_order(m_array), m_threads);
}

void CpuGemmEngine::numeric_gemm_as(const GemmId& /*id*/, const NumericGemmArgs& args, const arch::PeNumerics& numerics) {
  ordered_gemm(args, numerics, accumulation_order(m_array), m_threads);
}

std::unique_ptr<GemmEngine> make_cpu_engine(std::string_view kernel_name, int threads, const arch::ArrayConfig& array) {
  return std::make_unique<CpuGemmEngine>(kernel_name, threads, array);
}

}  // namespace saffire::models
