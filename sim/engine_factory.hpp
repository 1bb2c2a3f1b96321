#pragma once
// The GemmEngine factory: one table of engines, chosen by name ("cpu", "array", "cuda").
#include <memory>
#include <string>
#include <vector>

#include "arch/array_config.hpp"
#include "models/engine/gemm_engine.hpp"
#include "sim/array_model.hpp"
#include "sim/memory/memory_model.hpp"

namespace saffire::sim {

struct EngineOptions {
  std::string kernel = "auto";   // INT8 kernel for cpu and the array's fold math
  int threads = 0;               // host threads (0 = all)
  arch::ArrayConfig array;       // array engine: the simulated array
  Fidelity fidelity = Fidelity::Fold;
  // Array engine: its folds wait for their operands as this memory model says (null: always ready, the
  // compute-bound cycles of the ideal memory); outputs and compute cycles are the same either way.
  std::shared_ptr<const memory::MemoryModel> memory;
};

/// Names of all engines, whether or not usable here ("cuda" needs a GPU at run time).
std::vector<std::string> gemm_engine_names();

/// Creates an engine; throws ConfigError listing the valid names on an unknown name, and a clear
/// error when "cuda" is asked for on a machine without a CUDA build or GPU.
std::unique_ptr<models::GemmEngine> make_gemm_engine(const std::string& name, const EngineOptions& options = {});

}  // namespace saffire::sim
