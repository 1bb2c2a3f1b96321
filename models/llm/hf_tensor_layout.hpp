#pragma once
// HfTensorLayout: where each tensor of the canonical FP32 buffer (checkpoint.hpp's order) comes from in a
// Hugging Face folder, per architecture: the source tensor's name and shape and how it is taken (whole; a
// slice of a vector; columns of a Conv1D (in, out) matrix, transposed to (out, in), as GPT-2's fused c_attn
// split into Q, K and V). Every source is looked up and shape-checked when the layout is built, before
// anything is allocated or converted.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "models/llm/config.hpp"
#include "models/llm/hf_config.hpp"
#include "models/llm/safetensors_folder.hpp"

namespace saffire::models::llm {

/// How a canonical tensor is taken from its source.
enum class TensorTake : std::uint8_t {
  Whole,              // the source as stored
  Slice,              // elements [begin, begin + count) of a vector
  TransposedColumns,  // columns [begin, begin + count) of a (rows, cols) matrix, written (count, rows)
};

struct TensorSource {
  SafetensorsFolder::Found found;
  TensorTake take = TensorTake::Whole;
  std::int64_t begin = 0;
  std::int64_t count = 0;  // Slice / TransposedColumns
  std::int64_t floats = 0;  // canonical floats written
};

class HfTensorLayout {
 public:
  explicit HfTensorLayout(const SafetensorsFolder& folder) : m_folder(&folder) {}

  /// The tensor `name` with exactly `shape`, taken whole. Throws ModelFileError naming the tensor (missing, or
  /// its shape and the one config.json implies).
  void add(const std::string& name, const std::vector<std::int64_t>& shape);
  /// Elements [begin, begin + count) of the vector `name` of `length` elements.
  void add_slice(const std::string& name, std::int64_t length, std::int64_t begin, std::int64_t count);
  /// Columns [begin, begin + count) of the (rows, cols) Conv1D weight `name`, transposed to (count, rows).
  void add_transposed_columns(const std::string& name, std::int64_t rows, std::int64_t cols, std::int64_t begin,
                              std::int64_t count);

  std::int64_t floats() const { return m_floats; }
  const std::vector<TensorSource>& sources() const { return m_sources; }

  /// Converts every source, in order, into out (floats() values).
  void write(std::span<float> out) const;
  /// Converts one source into out (source.floats values); `scratch` holds a whole source when it is cut.
  static void write_source(const TensorSource& source, std::span<float> out, std::vector<float>& scratch);

 private:
  SafetensorsFolder::Found find(const std::string& name, const std::vector<std::int64_t>& shape) const;

  const SafetensorsFolder* m_folder;
  std::vector<TensorSource> m_sources;
  std::int64_t m_floats = 0;
};

/// The layout of `architecture` for config `c` (its BlockStyle): the tensors in canonical order.
HfTensorLayout hf_tensor_layout(const SafetensorsFolder& folder, HfArchitecture architecture, const LlamaConfig& c);

}  // namespace saffire::models::llm
