#pragma once
// GemmEngine: the one seam through which every quantized GEMM of a model runs.
// Implementations: cpu (fast INT8 kernel), cuda (when a GPU is present), array (the fold-level
// SystemC model in sim/, which also accounts cycles). All must give bit-identical INT32 outputs, and
// cpu and array bit-identical outputs for floating-point PEs (numeric_gemm).
#include <memory>
#include <string>
#include <string_view>

#include "models/engine/gemm_id.hpp"
#include "models/gemm/int8_gemm.hpp"
#include "models/gemm/ordered_gemm.hpp"

namespace saffire::models {

class GemmEngine {
 public:
  virtual ~GemmEngine() = default;
  virtual std::string_view name() const = 0;
  /// Computes args.y = args.x * args.w (INT8 x INT8 -> INT32, wrap-around; args.accumulate is false
  /// for model GEMMs). `id` says which GEMM of the model this is. Called from one thread at a time;
  /// the engine may use several threads inside.
  virtual void gemm(const GemmId& id, const Int8GemmArgs& args) = 0;
  /// Computes args.y = args.x * args.w in the number formats and accumulation order of the array the
  /// engine was configured with (arch::ArrayConfig::numerics, dataflow, rows; models/gemm/ordered_gemm.hpp):
  /// cpu and array give bit-identical outputs. Engines without such a path (cuda: INT8 only) throw
  /// ConfigError naming themselves.
  virtual void numeric_gemm(const GemmId& id, const NumericGemmArgs& args);
  /// The same GEMM on this array's PEs working in another design `numerics` (multi-format PEs, e.g. the
  /// INT16 attention products of HEAL's mitigation on a BF16 array): the array's order, rows and cycle
  /// accounting, the given formats. Same engines as numeric_gemm; the others throw ConfigError.
  virtual void numeric_gemm_as(const GemmId& id, const NumericGemmArgs& args, const arch::PeNumerics& numerics);
};

}  // namespace saffire::models
