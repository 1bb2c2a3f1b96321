#pragma once
// GemmEngine: the one seam through which every quantized GEMM of a model runs.
// Implementations: cpu (fast INT8 kernel), cuda (when a GPU is present), array (the fold-level
// SystemC model in sim/, which also accounts cycles). All must give bit-identical INT32 outputs.
#include <memory>
#include <string>
#include <string_view>

#include "models/engine/gemm_id.hpp"
#include "models/gemm/int8_gemm.hpp"

namespace saffire::models {

class GemmEngine {
 public:
  virtual ~GemmEngine() = default;
  virtual std::string_view name() const = 0;
  /// Computes args.y = args.x * args.w (INT8 x INT8 -> INT32, wrap-around; args.accumulate is false
  /// for model GEMMs). `id` says which GEMM of the model this is. Called from one thread at a time;
  /// the engine may use several threads inside.
  virtual void gemm(const GemmId& id, const Int8GemmArgs& args) = 0;
};

}  // namespace saffire::models
