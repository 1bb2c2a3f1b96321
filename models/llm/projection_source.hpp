#pragma once
// ProjectionSource: where a checkpoint's seven projection matrices (Q, K, V, O, Gate, Up, Down) are read from
// when they are not held as FP32 (WeightStorage::MappedProjections): the memory-mapped file, one row at a time,
// converted to FP32 (F32 copied, F16/BF16 widened, Q8_0 dequantized as q * scale). The W8A8 transformer
// quantizes each matrix from these rows, so a loaded model never holds an FP32 copy of its projections.
#include <cstdint>
#include <span>

#include "models/engine/gemm_id.hpp"

namespace saffire::models::llm {

class ProjectionSource {
 public:
  virtual ~ProjectionSource() = default;
  /// Row `row` of projection `c` (Q .. Down; W (out, in) row-major, Gate = w1, Up = w3, Down = w2) of `layer` as
  /// FP32 into out (`in` values). The caller keeps row < out and out.size() == in. Throws ModelFileError naming
  /// the file and tensor when a value is not finite.
  virtual void read_row(Component c, int layer, std::int64_t row, std::span<float> out) const = 0;
  /// The caller has read the matrix (c, layer) and will not come back to it soon: its file pages may leave the
  /// process's resident set (MappedFile::drop_pages). Reading it again still works.
  virtual void release(Component c, int layer) const = 0;
};

}  // namespace saffire::models::llm
