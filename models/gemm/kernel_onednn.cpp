// "onednn" INT8 GEMM: oneDNN's dnnl_gemm_s8s8s32, offered only where it is exact.
//
// Why the self-check: on CPUs without VNNI, oneDNN's AVX2 s8s8s32 path computes u8 x s8 products
// with vpmaddubsw, whose int16 pair sums saturate; with operands near -128/127 thousands of outputs
// differ from the true int32 result. On VNNI CPUs it is exact. So on first use we compare it with
// naive_int8_gemm on extreme-value and random operands, and hide it when any output differs.
//
// Exactness of the int32 range: K is cut into chunks of at most 2^16, so one call's sum stays within
// |2^16 * 128 * 128| = 2^30 (no reliance on how oneDNN overflows); chunks and accumulate=true are
// combined here with wrap-around uint32 adds (beta=1 would go through float).
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/gemm/gemm_parallel.hpp"
#include "models/gemm/kernel_registry.hpp"
#include "models/gemm/pack_buffer.hpp"

#if defined(SAFFIRE_HAVE_DNNL)
#include <dnnl.h>
#endif

namespace saffire::models::detail {

#if defined(SAFFIRE_HAVE_DNNL)
namespace {

using i64 = std::int64_t;
constexpr i64 kMaxChunkK = i64{1} << 16;

// Sets the OpenMP thread count oneDNN sees (it follows omp_get_max_threads()) for one scope.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int threads) : m_saved(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~ScopedOmpThreads() { omp_set_num_threads(m_saved); }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int m_saved;
};

// C[m x n] = A[m x k] * B[k x n], row-major, one oneDNN call (k <= kMaxChunkK).
void dnnl_call(i64 m, i64 n, i64 k, const std::int8_t* a, i64 lda, const std::int8_t* b, i64 ldb, std::int32_t* c,
               i64 ldc) {
  const std::int32_t c_offset = 0;
  const dnnl_status_t st =
      dnnl_gemm_s8s8s32('N', 'N', 'F', m, n, k, 1.0f, a, lda, 0, b, ldb, 0, 0.0f, c, ldc, &c_offset);
  if (st != dnnl_success) {
    throw std::runtime_error("dnnl_gemm_s8s8s32 failed with status " + std::to_string(static_cast<int>(st)));
  }
}

void run_onednn(const Int8GemmArgs& a, int threads) {
  if (a.m <= 0 || a.n <= 0) {
    return;
  }
  if (a.k <= 0) {
    if (!a.accumulate) {
      for (i64 i = 0; i < a.m; ++i) {
        std::fill_n(a.y + i * a.ldy, a.n, 0);
      }
    }
    return;
  }
  ScopedOmpThreads scoped(resolve_gemm_threads(threads));
  thread_local PackBuffer<std::int32_t> tmp_buf;
  std::int32_t* tmp = nullptr;
  for (i64 pc = 0; pc < a.k; pc += kMaxChunkK) {
    const i64 kc = std::min(kMaxChunkK, a.k - pc);
    if (pc == 0 && !a.accumulate) {  // first chunk may write Y directly
      dnnl_call(a.m, a.n, kc, a.x, a.ldx, a.w, a.ldw, a.y, a.ldy);
      continue;
    }
    if (!tmp) {
      tmp = tmp_buf.get(static_cast<std::size_t>(a.m * a.n));
    }
    dnnl_call(a.m, a.n, kc, a.x + pc, a.ldx, a.w + pc * a.ldw, a.ldw, tmp, a.n);
    for (i64 i = 0; i < a.m; ++i) {
      for (i64 j = 0; j < a.n; ++j) {
        std::int32_t& y = a.y[i * a.ldy + j];
        y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) + static_cast<std::uint32_t>(tmp[i * a.n + j]));
      }
    }
  }
}

class OnednnKernel final : public Int8GemmKernel {
 public:
  std::string_view name() const override { return "onednn"; }
  void run(const Int8GemmArgs& a, int threads) const override { run_onednn(a, threads); }
};

// One self-check case: returns how many outputs differ from naive_int8_gemm.
i64 count_mismatches(i64 m, i64 n, i64 k, int pattern, bool accumulate, int threads, std::mt19937& rng) {
  const i64 ldx = k + 3, ldw = n + 5, ldy = n + 2;  // submatrix views, as callers use them
  std::vector<std::int8_t> x(static_cast<std::size_t>(m * ldx)), w(static_cast<std::size_t>(k * ldw));
  std::uniform_int_distribution<int> any(-128, 127), coin(0, 1);
  auto fill = [&](std::vector<std::int8_t>& v, bool is_x) {
    for (auto& e : v) {
      switch (pattern) {
        case 0:
          e = -128;
          break;  // max positive products
        case 1:
          e = static_cast<std::int8_t>(coin(rng) ? 127 : -128);
          break;  // saturating pair sums
        case 2:
          e = 127;
          break;  // odd sums above 2^24 (catches float paths)
        default:
          e = static_cast<std::int8_t>(any(rng));
          break;
      }
      if (pattern == 2 && !is_x && coin(rng)) {
        e = -128;
      }
    }
  };
  fill(x, true);
  fill(w, false);
  std::vector<std::int32_t> y_ref(static_cast<std::size_t>(m * ldy)), y(y_ref.size());
  for (auto& e : y_ref) {
    e = static_cast<std::int32_t>(rng());
  }
  y = y_ref;
  Int8GemmArgs args{m, n, k, x.data(), ldx, w.data(), ldw, y_ref.data(), ldy, accumulate};
  naive_int8_gemm(args);
  args.y = y.data();
  run_onednn(args, threads);
  i64 bad = 0;
  for (i64 i = 0; i < m; ++i) {
    for (i64 j = 0; j < n; ++j) {
      bad += y[i * ldy + j] != y_ref[i * ldy + j];
    }
  }
  return bad;
}

std::string self_check() {
  struct Shape {
    i64 m, n, k;
  };
  // GEMV, thin, odd and blocked shapes reach different oneDNN code paths.
  const Shape shapes[] = {{1, 96, 300}, {67, 1, 300}, {37, 45, 129}, {64, 96, 512}, {8, 64, 1041}};
  std::mt19937 rng(12345);
  try {
    for (int threads : {1, omp_get_max_threads()}) {
      for (const Shape& s : shapes) {
        for (int pattern = 0; pattern < 4; ++pattern) {
          const i64 bad = count_mismatches(s.m, s.n, s.k, pattern, pattern == 3, threads, rng);
          if (bad > 0) {
            return "oneDNN's dnnl_gemm_s8s8s32 is not exact on this CPU (" + std::to_string(bad) + " of " +
                   std::to_string(s.m * s.n) + " outputs wrong for " + std::to_string(s.m) + "x" + std::to_string(s.n) +
                   "x" + std::to_string(s.k) +
                   " with extreme operands; its non-VNNI path saturates int16 intermediates)";
          }
        }
      }
    }
  } catch (const std::exception& e) {
    return std::string("oneDNN self-check failed: ") + e.what();
  }
  return {};
}

}  // namespace

bool onednn_kernel_built() { return true; }

const std::string& onednn_kernel_unavailable_reason() {
  static const std::string reason = self_check();
  return reason;
}

std::unique_ptr<Int8GemmKernel> make_onednn_kernel() { return std::make_unique<OnednnKernel>(); }

#else  // built without oneDNN

bool onednn_kernel_built() { return false; }

const std::string& onednn_kernel_unavailable_reason() {
  static const std::string reason = "saffire was built without oneDNN (libdnnl-dev not found by CMake)";
  return reason;
}

std::unique_ptr<Int8GemmKernel> make_onednn_kernel() { throw std::logic_error(onednn_kernel_unavailable_reason()); }

#endif

}  // namespace saffire::models::detail
