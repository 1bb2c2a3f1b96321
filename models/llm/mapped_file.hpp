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

  /// Tells the kernel that this process is done with `bytes` (inside a mapping) for now: their pages leave the
  /// process's resident set (madvise MADV_DONTNEED; they stay in the page cache, and a later access reads them
  /// again, unchanged, since the mapping is read-only). The loaders call it after converting or quantizing a
  /// tensor, so the peak RSS of a W8A8 load is not the whole file on top of its INT8 weights. Best effort.
  static void drop_pages(std::span<const std::byte> bytes) noexcept;

 private:
  void release() noexcept;

  std::filesystem::path m_path;
  const std::byte* m_data = nullptr;
  std::size_t m_size = 0;
};

}  // namespace saffire::models::llm
