#pragma once
// GGUF files (ggml / llama.cpp, versions 2 and 3, little-endian): uint32 magic "GGUF", uint32 version, uint64
// tensor count, uint64 metadata count; the metadata as (string key, uint32 value type, value) with strings as
// uint64 length + bytes and arrays as (uint32 element type, uint64 count, elements); then per tensor: name,
// uint32 n_dims, uint64 ne[n_dims] (ne[0] varies fastest: a (rows, cols) matrix is ne = [cols, rows]), uint32
// ggml type, uint64 offset; the tensor data starts at the next multiple of general.alignment (default 32) and
// each offset is relative to it. The file is memory-mapped and everything is checked before a tensor is read:
// every length inside the file, known value and tensor types, dims >= 1 with a checked element count, Q8_0 rows
// made of whole blocks, offsets aligned and inside the data, no two tensors overlapping. A bad file is a
// ModelFileError naming the file and the key or tensor.
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

/// The tensor types read here (ggml_type numbers); others are rejected by name of the tensor.
enum class GgmlType : std::uint32_t { F32 = 0, F16 = 1, Q8_0 = 8, BF16 = 30 };
std::string_view to_string(GgmlType t);  // "F32", "F16", "Q8_0", "BF16"
/// Q8_0: blocks of 32 values, each an fp16 scale then 32 int8 (w = q * scale).
inline constexpr std::int64_t kQ80Block = 32;
inline constexpr std::int64_t kQ80BlockBytes = 2 + kQ80Block;

struct GgufTensor {
  std::string name;
  std::vector<std::int64_t> ne;  // ne[0] fastest
  GgmlType type = GgmlType::F32;
  std::int64_t elements = 0;
  std::span<const std::byte> data;
  std::int64_t row_length() const { return ne[0]; }
  std::int64_t rows() const { return elements / ne[0]; }
};

/// True when `path` is a regular file that starts with the GGUF magic.
bool is_gguf_file(const std::filesystem::path& path);

class GgufFile {
 public:
  /// Maps and validates `path`; throws ModelFileError naming the file (and the key or tensor).
  explicit GgufFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return m_file.path(); }
  std::uint32_t version() const { return m_version; }
  const std::vector<GgufTensor>& tensors() const { return m_tensors; }
  const GgufTensor* find(std::string_view name) const;  // nullptr when absent

  bool has(std::string_view key) const { return m_values.count(std::string(key)) != 0; }
  /// Typed metadata; each throws ModelFileError naming the file and key when it is missing or of another type.
  std::string string(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;  // any integer type
  double number(std::string_view key) const;         // any integer or float type
  bool boolean(std::string_view key) const;
  std::int64_t integer_or(std::string_view key, std::int64_t fallback) const { return has(key) ? integer(key) : fallback; }
  double number_or(std::string_view key, double fallback) const { return has(key) ? number(key) : fallback; }
  bool boolean_or(std::string_view key, bool fallback) const { return has(key) ? boolean(key) : fallback; }
  std::vector<std::string> string_array(std::string_view key) const;
  std::vector<float> float_array(std::string_view key) const;  // FLOAT32 elements

 private:
  struct Value {
    std::uint32_t type = 0;
    std::uint32_t element_type = 0;  // arrays
    std::uint64_t count = 0;         // arrays
    std::span<const std::byte> bytes;  // the value (arrays: the elements)
  };
  const Value& value(std::string_view key, const char* expected) const;
  [[noreturn]] void fail_type(std::string_view key, const Value& v, const char* expected) const;

  MappedFile m_file;
  std::uint32_t m_version = 0;
  std::unordered_map<std::string, Value> m_values;
  std::vector<GgufTensor> m_tensors;
  std::unordered_map<std::string, std::size_t> m_index;
};

/// Row `row` (ne[0] values) of a F32, F16, BF16 or Q8_0 tensor as FP32 into out (ne[0] floats). Throws
/// ModelFileError naming `file`, the tensor and the element for a non-finite value.
void gguf_row_to_f32(const GgufTensor& tensor, const std::filesystem::path& file, std::int64_t row, std::span<float> out);
/// The whole tensor (elements floats), row by row.
void gguf_tensor_to_f32(const GgufTensor& tensor, const std::filesystem::path& file, std::span<float> out);

}  // namespace saffire::models::llm
