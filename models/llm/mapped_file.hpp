#pragma once
// MappedFile: a whole file mapped read-only into memory (POSIX mmap), so that large checkpoints are read in
// place, tensor by tensor, instead of being copied into the heap first.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace saffire::models::llm {

class MappedFile {
 public:
  MappedFile() = default;
  /// Maps `path`; throws ModelFileError naming the file when it cannot be opened, sized or mapped.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;

  std::span<const std::byte> bytes() const { return {m_data, m_size}; }
  std::size_t size() const { return m_size; }
  const std::filesystem::path& path() const { return m_path; }

 private:
  void release() noexcept;

  std::filesystem::path m_path;
  const std::byte* m_data = nullptr;
  std::size_t m_size = 0;
};

}  // namespace saffire::models::llm
