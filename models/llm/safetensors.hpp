#pragma once
// Safetensors files (Hugging Face): uint64 little-endian header length N, N bytes of JSON
// {"name": {"dtype": "BF16", "shape": [out, in], "data_offsets": [begin, end]}, ..., "__metadata__": {...}},
// then the data; offsets are relative to the end of the header. The file is memory-mapped and every entry is
// checked before any tensor is read: header inside the file (and at most 100 MiB), known dtypes, shapes whose
// element count times the dtype size is exactly end - begin (checked int64 arithmetic), offsets inside the
// data, no two tensors overlapping. A lying header is a ModelFileError naming the file and the tensor.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/llm/mapped_file.hpp"

namespace saffire::models::llm {

/// Element types of a safetensors file. Only F32, F16 and BF16 can be read as weights; the others are known so
/// that a file holding them still validates.
enum class TensorDtype : std::uint8_t { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool, Other };
std::string_view to_string(TensorDtype t);

/// One tensor of a mapped file (the bytes stay in the mapping).
struct TensorView {
  std::string name;
  TensorDtype dtype = TensorDtype::F32;
  std::string dtype_name;  // as the header spells it
  std::vector<std::int64_t> shape;
  std::int64_t elements = 0;
  std::span<const std::byte> data;
};

class SafetensorsFile {
 public:
  /// Maps and validates `path`; throws ModelFileError naming the file (and the tensor) on any problem.
  explicit SafetensorsFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return m_file.path(); }
  const std::vector<TensorView>& tensors() const { return m_tensors; }
  /// The tensor called `name`, or nullptr.
  const TensorView* find(std::string_view name) const;

 private:
  MappedFile m_file;
  std::vector<TensorView> m_tensors;
  std::unordered_map<std::string, std::size_t> m_index;
};

/// Converts a F32, F16 or BF16 tensor to FP32 into out (tensor.elements floats). Throws ModelFileError naming
/// `file` and the tensor for another dtype, and for a non-finite value (index given).
void tensor_to_f32(const TensorView& tensor, const std::filesystem::path& file, std::span<float> out);

/// Elements first, first + stride, ... (out.size() of them) of a F32, F16 or BF16 tensor as FP32: one row, or one
/// column of a matrix, read straight from the mapping. The same checks and errors as tensor_to_f32 (the index
/// named is the element's); the caller keeps the indices inside the tensor.
void tensor_elements_to_f32(const TensorView& tensor, const std::filesystem::path& file, std::int64_t first,
                            std::int64_t stride, std::span<float> out);
/// ModelFileError naming `file` and the tensor unless its dtype is F32, F16 or BF16.
void check_weight_dtype(const TensorView& tensor, const std::filesystem::path& file);

/// IEEE binary16 and bfloat16 to FP32 (exact).
float f16_to_f32(std::uint16_t h);
float bf16_to_f32(std::uint16_t b);
/// FP32 to binary16 / bfloat16, round to nearest even (used to write test fixtures).
std::uint16_t f32_to_f16(float f);
std::uint16_t f32_to_bf16(float f);

}  // namespace saffire::models::llm
