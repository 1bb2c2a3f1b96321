#pragma once
// Internal: a grow-only, 64-byte aligned scratch buffer for packed GEMM operands. Kernels keep one
// per thread (thread_local) so repeated calls do not allocate.
#include <cstddef>
#include <new>

namespace saffire::models::detail {

template <class T>
class PackBuffer {
 public:
  PackBuffer() = default;
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  ~PackBuffer() { release(); }

  /// Storage for at least `count` elements; contents are unspecified.
  T* get(std::size_t count) {
    if (count > m_capacity) {
      release();
      m_data = static_cast<T*>(::operator new (count * sizeof(T), std::align_val_t{kAlign}));
      m_capacity = count;
    }
    return m_data;
  }

 private:
  static constexpr std::size_t kAlign = 64;
  void release() {
    if (m_data) {
      ::operator delete (m_data, std::align_val_t{kAlign});
    }
    m_data = nullptr;
    m_capacity = 0;
  }
  T* m_data = nullptr;
  std::size_t m_capacity = 0;
};

}  // namespace saffire::models::detail
