// The "cuda" INT8 GEMM kernel (both of its code paths) against naive_int8_gemm. Without a usable GPU
// the cases report SKIPPED with the reason (a warning, not a pass of the GPU code).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "models/gemm/cuda_int8_gemm.hpp"
#include "models/gemm/int8_gemm.hpp"

namespace {

using saffire::models::CudaGemmPath;
using saffire::models::Int8GemmArgs;
using i64 = std::int64_t;

// True (after a SKIPPED warning) when this machine cannot run the cuda kernel.
bool skip_without_gpu() {
  const std::string& why = saffire::models::cuda_int8_gemm_unavailable_reason();
  if (why.empty()) {
    return false;
  }
  WARN("SKIPPED: CUDA INT8 GEMM not tested: " << why);
  return true;
}

// fill: 0 random, 1 all -128, 2 mixed -128/127. Leading dimensions padded by `pad`; Y starts near the
// int32 limits so accumulation wraps.
void check_path(CudaGemmPath path, i64 m, i64 n, i64 k, int fill, bool accumulate, i64 pad, std::mt19937& rng) {
  const i64 ldx = k + pad, ldw = n + pad, ldy = n + pad;
  std::uniform_int_distribution<int> any(-128, 127), coin(0, 1);
  std::vector<std::int8_t> x(static_cast<std::size_t>(m * ldx)), w(static_cast<std::size_t>(k * ldw));
  for (auto* v : {&x, &w}) {
    for (auto& e : *v) {
      e = static_cast<std::int8_t>(fill == 1 ? -128 : fill == 2 ? (coin(rng) ? 127 : -128) : any(rng));
    }
  }
  std::vector<std::int32_t> ref(static_cast<std::size_t>(m * ldy));
  for (auto& e : ref) {
    e = coin(rng) ? std::numeric_limits<std::int32_t>::max() - any(rng) - 128
                  : std::numeric_limits<std::int32_t>::min() + any(rng) + 128;
  }
  std::vector<std::int32_t> y = ref;
  naive_int8_gemm(Int8GemmArgs{m, n, k, x.data(), ldx, w.data(), ldw, ref.data(), ldy, accumulate});
  const auto kernel = saffire::models::make_cuda_int8_gemm_kernel(path);
  kernel->run(Int8GemmArgs{m, n, k, x.data(), ldx, w.data(), ldw, y.data(), ldy, accumulate}, 0);
  i64 bad = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    bad += y[i] != ref[i];
  }
  INFO("path " << static_cast<int>(path) << " m=" << m << " n=" << n << " k=" << k << " fill=" << fill
               << " accumulate=" << accumulate << " pad=" << pad);
  REQUIRE(bad == 0);
}

}  // namespace

TEST_CASE("CUDA INT8 GEMM: listed exactly when a GPU is usable", "[gemm][cuda]") {
  const auto names = saffire::models::int8_gemm_kernel_names();
  const bool listed = std::find(names.begin(), names.end(), "cuda") != names.end();
  CHECK(listed == saffire::models::cuda_int8_gemm_unavailable_reason().empty());
  if (listed) {
    CHECK(names.back() == "cuda");  // never "auto": it pays host<->device copies on every call
  } else {
    CHECK_THROWS_AS(saffire::models::make_int8_gemm_kernel("cuda"), std::invalid_argument);
    skip_without_gpu();
  }
}

TEST_CASE("CUDA INT8 GEMM: cuBLAS and custom paths match naive", "[gemm][cuda]") {
  if (skip_without_gpu()) {
    return;
  }
  std::mt19937 rng(42);
  for (CudaGemmPath path : {CudaGemmPath::automatic, CudaGemmPath::cublas, CudaGemmPath::custom}) {
    // m/n/k = 1, primes, non-multiples of 4/16/32, views with padded leading dimensions.
    for (i64 m : {1, 3, 17, 64}) {
      for (i64 n : {1, 5, 33, 128}) {
        for (i64 k : {1, 7, 31, 256}) {
          check_path(path, m, n, k, static_cast<int>((m + n + k) % 3), (m + k) % 2 == 1, (n % 3) * 3, rng);
        }
      }
    }
    for (int fill = 0; fill < 3; ++fill) {
      check_path(path, 257, 129, 1031, fill, fill != 1, 5, rng);
    }
    // K beyond one 2^16 chunk: the plain sum wraps past INT32_MAX and chunks are combined mod 2^32.
    check_path(path, 5, 17, 140001, 1, false, 0, rng);
    check_path(path, 4, 16, 140000, 1, true, 3, rng);
  }
}
