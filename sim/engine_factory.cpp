#include "sim/engine_factory.hpp"

#include <functional>
#include <utility>

#include "arch/config_error.hpp"
#include "models/engine/cpu_engine.hpp"
#include "sim/array_engine.hpp"

namespace saffire::sim {
namespace {

/// `cuda`: every GEMM on the GPU kernel (bit-identical to the CPU kernels).
class CudaGemmEngine final : public models::GemmEngine {
 public:
  explicit CudaGemmEngine(std::unique_ptr<models::Int8GemmKernel> kernel) : m_kernel(std::move(kernel)) {}
  std::string_view name() const override { return "cuda"; }
  void gemm(const models::GemmId&, const models::Int8GemmArgs& args) override { m_kernel->run(args, 0); }

 private:
  std::unique_ptr<models::Int8GemmKernel> m_kernel;
};

using Maker = std::function<std::unique_ptr<models::GemmEngine>(const EngineOptions&)>;

const std::vector<std::pair<std::string, Maker>>& engine_table() {
  static const std::vector<std::pair<std::string, Maker>> table = {
      {"cpu", [](const EngineOptions& o) { return models::make_cpu_engine(o.kernel, o.threads, o.array); }},
      {"array",
       [](const EngineOptions& o) -> std::unique_ptr<models::GemmEngine> {
         return std::make_unique<ArrayGemmEngine>(o.array, o.fidelity, o.threads, o.kernel, o.memory);
       }},
      {"cuda",
       [](const EngineOptions&) -> std::unique_ptr<models::GemmEngine> {
         for (const auto& k : models::int8_gemm_kernel_names())
           if (k == "cuda") return std::make_unique<CudaGemmEngine>(models::make_int8_gemm_kernel("cuda"));
         throw ConfigError(
             "engine 'cuda' is not available here: saffire was built without CUDA or no CUDA-capable GPU is present");
       }},
  };
  return table;
}

}  // namespace

std::vector<std::string> gemm_engine_names() {
  std::vector<std::string> names;
  for (const auto& [name, maker] : engine_table()) names.push_back(name);
  return names;
}

std::unique_ptr<models::GemmEngine> make_gemm_engine(const std::string& name, const EngineOptions& options) {
  for (const auto& [candidate, maker] : engine_table())
    if (candidate == name) return maker(options);
  std::string valid;
  for (const auto& n : gemm_engine_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw ConfigError("engine: unknown engine '" + name + "' (expected one of: " + valid + ")");
}

}  // namespace saffire::sim
