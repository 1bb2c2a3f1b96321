#pragma once
// SafetensorsFolder: the tensors of a Hugging Face model folder, from `model.safetensors` or from the shards
// that `model.safetensors.index.json` ({"weight_map": {"tensor": "model-00001-of-00002.safetensors", ...}})
// names. Every shard is mapped and validated once; a shard must be a plain file name inside the folder.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/llm/safetensors.hpp"

namespace saffire::models::llm {

class SafetensorsFolder {
 public:
  /// Opens the folder's weights; throws ModelFileError naming the file (no weights, bad index, missing shard, a
  /// tensor the index puts in a shard that lacks it, a shard's bad header).
  explicit SafetensorsFolder(const std::filesystem::path& dir);

  struct Found {
    const TensorView* tensor = nullptr;
    const std::filesystem::path* file = nullptr;
  };
  /// The tensor called `name` and the file holding it; tensor == nullptr when absent.
  Found find(std::string_view name) const;
  /// The file the error about a missing tensor should name (the index, or the single file).
  const std::filesystem::path& source() const { return m_source; }
  /// Every tensor's dtype name, once each ("BF16", "F32 and BF16", ...) for reports.
  std::string dtypes() const;

 private:
  std::filesystem::path m_source;
  std::vector<std::unique_ptr<SafetensorsFile>> m_files;
  std::unordered_map<std::string, std::size_t> m_where;  // tensor -> m_files index
};

}  // namespace saffire::models::llm
