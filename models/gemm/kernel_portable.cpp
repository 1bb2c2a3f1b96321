// "portable" INT8 GEMM: plain C++ that compilers auto-vectorize on any target (SSE2/AVX2/NEON).
// The fallback where no ISA-specific kernel applies; shapes: blocked (below), few rows (streaming
// W rows), few columns (dot products).
//
// Blocking (GotoBLAS-style, simplified): for each (KC x NC) block of W, pack it to int16 panels of
// NR columns (panel[q][p][0..NR), zero-padded past N), then sweep X in groups of MR rows; each
// group x panel is an MR x NR register tile accumulated over KC. Products of int8 values fit int16
// and int32 exactly; the running sums use uint32 so overflow wraps (mod 2^32) without UB.
#include <algorithm>
#include <cstdint>

#include "models/gemm/gemm_parallel.hpp"
#include "models/gemm/kernel_registry.hpp"
#include "models/gemm/pack_buffer.hpp"

namespace saffire::models::detail {
namespace {

using i64 = std::int64_t;

constexpr i64 kMR = 4;    // rows per register tile
constexpr i64 kNR = 16;   // columns per packed W panel (one AVX-512 / two AVX2 / four NEON vectors of int32)
constexpr i64 kKC = 256;  // depth of a W block: MR x KC of X stays in L1
constexpr i64 kNC = 512;  // width of a W block: KC x NC int16 (256 KiB) stays in L2

// Packs W[0:kc, 0:nc] (row-major, ldw) into ceil(nc/NR) panels, each kc x NR int16, zero-padded.
void pack_w(const std::int8_t* w, i64 ldw, i64 kc, i64 nc, std::int16_t* out) {
  for (i64 j0 = 0; j0 < nc; j0 += kNR) {
    const i64 nr = std::min(kNR, nc - j0);
    for (i64 p = 0; p < kc; ++p) {
      const std::int8_t* src = w + p * ldw + j0;
      std::int16_t* dst = out + (j0 / kNR) * kc * kNR + p * kNR;
      for (i64 c = 0; c < kNR; ++c) {
        dst[c] = c < nr ? src[c] : std::int16_t{0};
      }
    }
  }
}

// Y[0:mr, 0:nr] (=|+=) X[0:4, 0:kc] * panel (mr <= 4 rows are stored; X must have 4 readable rows).
// Four named accumulator rows and a fixed-length inner loop: the form GCC and Clang both vectorize
// into widening multiplies; noinline keeps the register tile from being merged into the caller.
[[gnu::noinline]] void micro_tile(const std::int8_t* x, i64 ldx, i64 kc, const std::int16_t* panel, std::int32_t* y,
                                  i64 ldy, i64 mr, i64 nr, bool add) {
  std::uint32_t a0[kNR] = {}, a1[kNR] = {}, a2[kNR] = {}, a3[kNR] = {};
  for (i64 p = 0; p < kc; ++p) {
    const std::int16_t* wp = panel + p * kNR;
    const std::int32_t x0 = x[p], x1 = x[ldx + p], x2 = x[2 * ldx + p], x3 = x[3 * ldx + p];
    for (i64 c = 0; c < kNR; ++c) {
      const std::int32_t w = wp[c];
      a0[c] += static_cast<std::uint32_t>(x0 * w);
      a1[c] += static_cast<std::uint32_t>(x1 * w);
      a2[c] += static_cast<std::uint32_t>(x2 * w);
      a3[c] += static_cast<std::uint32_t>(x3 * w);
    }
  }
  const std::uint32_t* acc[kMR] = {a0, a1, a2, a3};
  for (i64 r = 0; r < mr; ++r) {
    std::int32_t* yr = y + r * ldy;
    for (i64 c = 0; c < nr; ++c) {
      yr[c] = static_cast<std::int32_t>((add ? static_cast<std::uint32_t>(yr[c]) : 0u) + acc[r][c]);
    }
  }
}

void gemm_blocked(const Int8GemmArgs& a) {
  thread_local PackBuffer<std::int16_t> wbuf;
  thread_local PackBuffer<std::int8_t> xtail;  // last 1-3 rows of X, zero-padded to 4
  std::int16_t* wp = wbuf.get(static_cast<std::size_t>(kKC * kNC));
  std::int8_t* xt = xtail.get(static_cast<std::size_t>(kMR * kKC));
  for (i64 jc = 0; jc < a.n; jc += kNC) {
    const i64 nc = std::min(kNC, a.n - jc);
    for (i64 pc = 0; pc < a.k; pc += kKC) {
      const i64 kc = std::min(kKC, a.k - pc);
      pack_w(a.w + pc * a.ldw + jc, a.ldw, kc, nc, wp);
      const bool add = a.accumulate || pc > 0;
      for (i64 i = 0; i < a.m; i += kMR) {
        const i64 mr = std::min(kMR, a.m - i);
        const std::int8_t* x = a.x + i * a.ldx + pc;
        i64 ldx = a.ldx;
        if (mr < kMR) {
          std::fill_n(xt, kMR * kc, std::int8_t{0});
          for (i64 r = 0; r < mr; ++r) {
            std::copy_n(x + r * a.ldx, kc, xt + r * kc);
          }
          x = xt;
          ldx = kc;
        }
        for (i64 j = 0; j < nc; j += kNR) {
          micro_tile(x, ldx, kc, wp + (j / kNR) * kc * kNR, a.y + i * a.ldy + jc + j, a.ldy, mr, std::min(kNR, nc - j),
                     add);
        }
      }
    }
  }
}

// Small M (GEMV): Y[i, :] (=|+=) sum_p X[i, p] * W[p, :], streaming W row by row (no packing; the
// axpy-shaped inner loop vectorizes everywhere). Partial sums in a per-thread uint32 row.
void gemm_rows_streaming(const Int8GemmArgs& a) {
  thread_local PackBuffer<std::uint32_t> acc_buf;
  std::uint32_t* acc = acc_buf.get(static_cast<std::size_t>(a.n));
  for (i64 i = 0; i < a.m; ++i) {
    std::int32_t* y = a.y + i * a.ldy;
    for (i64 j = 0; j < a.n; ++j) {
      acc[j] = a.accumulate ? static_cast<std::uint32_t>(y[j]) : 0u;
    }
    for (i64 p = 0; p < a.k; ++p) {
      const std::int32_t xv = a.x[i * a.ldx + p];
      const std::int8_t* w = a.w + p * a.ldw;
      for (i64 j = 0; j < a.n; ++j) {
        acc[j] += static_cast<std::uint32_t>(xv * w[j]);
      }
    }
    for (i64 j = 0; j < a.n; ++j) {
      y[j] = static_cast<std::int32_t>(acc[j]);
    }
  }
}

// Small N: dot products of X rows with packed W columns (W^T as int16, one row per column of W).
// Chunks of at most 2^16 products keep the int32 sums in range (|sum| <= 2^30), which lets
// compilers use their dot-product idioms (e.g. vpmaddwd); chunks are combined mod 2^32.
void gemm_columns_dot(const Int8GemmArgs& a) {
  constexpr i64 kChunk = i64{1} << 16;
  thread_local PackBuffer<std::int16_t> wt_buf;
  std::int16_t* wt = wt_buf.get(static_cast<std::size_t>(a.n * a.k));
  for (i64 j = 0; j < a.n; ++j) {
    for (i64 p = 0; p < a.k; ++p) {
      wt[j * a.k + p] = a.w[p * a.ldw + j];
    }
  }
  for (i64 i = 0; i < a.m; ++i) {
    const std::int8_t* x = a.x + i * a.ldx;
    for (i64 j = 0; j < a.n; ++j) {
      const std::int16_t* w = wt + j * a.k;
      std::uint32_t total = a.accumulate ? static_cast<std::uint32_t>(a.y[i * a.ldy + j]) : 0u;
      for (i64 p0 = 0; p0 < a.k; p0 += kChunk) {
        const i64 p1 = std::min(a.k, p0 + kChunk);
        std::int32_t sum = 0;
        for (i64 p = p0; p < p1; ++p) {
          sum += x[p] * w[p];
        }
        total += static_cast<std::uint32_t>(sum);
      }
      a.y[i * a.ldy + j] = static_cast<std::int32_t>(total);
    }
  }
}

void gemm_serial(const Int8GemmArgs& a) {
  if (a.n <= kNR / 2) {
    gemm_columns_dot(a);
  } else if (a.m < kMR) {
    gemm_rows_streaming(a);
  } else {
    gemm_blocked(a);
  }
}

class PortableKernel final : public Int8GemmKernel {
 public:
  std::string_view name() const override { return "portable"; }
  void run(const Int8GemmArgs& a, int threads) const override {
    if (a.m <= 0 || a.n <= 0) {
      return;
    }
    if (a.k <= 0) {  // empty sum: Y = 0, or Y unchanged when accumulating
      if (!a.accumulate) {
        for (i64 i = 0; i < a.m; ++i) {
          std::fill_n(a.y + i * a.ldy, a.n, 0);
        }
      }
      return;
    }
    run_gemm_blocks(a, threads, kMR, 2 * kMR, kNR, gemm_serial);
  }
};

}  // namespace

std::unique_ptr<Int8GemmKernel> make_portable_kernel() { return std::make_unique<PortableKernel>(); }

}  // namespace saffire::models::detail
