// "avx2" INT8 GEMM: exact int8 x int8 -> int32 with AVX2 intrinsics, compiled through target
// attributes (no -march needed) and chosen at run time when the CPU supports AVX2.
//
// Exactness: operands are sign-extended to int16 and multiplied with vpmaddwd, which sums two
// int16 x int16 products into int32 without saturation (|sum| <= 2 * 128 * 128). vpmaddubsw, the
// usual u8 x s8 instruction, saturates to int16 and is therefore not used. int32 adds wrap mod 2^32.
//
// Layouts (k-pairs: k values 2t and 2t+1 travel together as two int16 in one int32 lane):
//   packed W panel (16 columns): [kc2][16 cols][2] int16  = per k-pair two ymm, columns 0-7 / 8-15,
//                                lane c holds (W[2t][c], W[2t+1][c]); zero past N and past K.
//   packed X block:              [mc rounded up to MR][kcp] int16, kcp = kc rounded up to even;
//                                broadcasting one int32 of a row gives (X[i][2t], X[i][2t+1]).
// Blocking: W block KC x NC (L2/L3), X block MC x KC (L2), MR x NR = 6 x 16 register tile
// (12 ymm accumulators + 2 W vectors + broadcast + product = 16 ymm).
// Small M (decode GEMV, M <= 32) skips packing W: W rows are sign-extended on the fly (see gemm_small_m).
// Tiny N (<= 8) uses dot products of X rows with packed W columns (see gemm_small_n).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "models/gemm/gemm_parallel.hpp"
#include "models/gemm/kernel_registry.hpp"
#include "models/gemm/pack_buffer.hpp"

#define SAFFIRE_AVX2 __attribute__((target("avx2,fma")))

namespace saffire::models::detail {
namespace {

using i64 = std::int64_t;

constexpr i64 kMR = 6;                     // rows per register tile
constexpr i64 kNR = 16;                    // columns per register tile / packed W panel
constexpr i64 kKC = 512;                   // k per block (even)
constexpr i64 kMC = 120;                   // rows per packed X block (multiple of MR)
constexpr i64 kNC = 1024;                  // columns per packed W block (multiple of NR)
constexpr i64 kSmallMaxRows = 32;          // M at or below this streams W unpacked (GEMV path)
constexpr i64 kSmallMaxCols = 8;           // N at or below this uses dot products (no padded panels)
constexpr i64 kSmallAccBytes = 128 << 10;  // partial sums per GEMV column block (L2)
constexpr i64 kSmallKC = 128;              // k-rows per GEMV chunk: <= 128 x 2048 bytes of W stay in L2 (multiple of 4)

// ---- packing -------------------------------------------------------------------------------

// Packs W[0:kc, 0:nc] into 16-column k-pair panels (layout above).
SAFFIRE_AVX2 void pack_w_block(const std::int8_t* w, i64 ldw, i64 kc, i64 nc, std::int16_t* out) {
  const i64 kc2 = (kc + 1) / 2;
  for (i64 j0 = 0; j0 < nc; j0 += kNR) {
    const i64 nr = std::min(kNR, nc - j0);
    std::int16_t* o = out + (j0 / kNR) * kc2 * 2 * kNR;
    for (i64 t = 0; t < kc2; ++t, o += 2 * kNR) {
      const std::int8_t* r0 = w + 2 * t * ldw + j0;
      const std::int8_t* r1 = 2 * t + 1 < kc ? r0 + ldw : nullptr;
      if (nr == kNR && r1) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r0));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r1));
        // unpack interleaves the two rows byte-wise: (a0 b0 a1 b1 ...), then widen to int16 pairs
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(a, b)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + kNR), _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(a, b)));
      } else {  // column or k tail: zero padding, never reading past the matrix
        for (i64 c = 0; c < kNR; ++c) {
          o[2 * c] = c < nr ? r0[c] : std::int16_t{0};
          o[2 * c + 1] = (c < nr && r1) ? r1[c] : std::int16_t{0};
        }
      }
    }
  }
}

// Sign-extends X[0:rows, 0:kc] into int16 rows of stride kcp (even), zero-padding columns to kcp
// and rows to `rows_padded`.
SAFFIRE_AVX2 void pack_x_rows(const std::int8_t* x, i64 ldx, i64 rows, i64 rows_padded, i64 kc, i64 kcp,
                              std::int16_t* out) {
  for (i64 r = 0; r < rows; ++r) {
    const std::int8_t* src = x + r * ldx;
    std::int16_t* dst = out + r * kcp;
    i64 p = 0;
    for (; p + 16 <= kc; p += 16) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + p),
                          _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + p))));
    }
    for (; p < kc; ++p) {
      dst[p] = src[p];
    }
    for (; p < kcp; ++p) {
      dst[p] = 0;
    }
  }
  if (rows_padded > rows) {
    std::memset(out + rows * kcp, 0, static_cast<std::size_t>((rows_padded - rows) * kcp) * 2);
  }
}

SAFFIRE_AVX2 inline __m256i broadcast_pair(const std::int16_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, sizeof v);  // (p[0], p[1]) as one int32 lane
  return _mm256_set1_epi32(v);
}

// Writes 8 int32 to y: y = v, or y += v (wrap-around) when add.
SAFFIRE_AVX2 inline void store8(std::int32_t* y, __m256i v, bool add) {
  auto* p = reinterpret_cast<__m256i*>(y);
  if (add) {
    v = _mm256_add_epi32(v, _mm256_loadu_si256(p));
  }
  _mm256_storeu_si256(p, v);
}

// Copies an R x 16 int32 tile (row stride 16) into Y[0:mr, 0:nr] with store or wrap-around add.
inline void store_tile_tail(const std::int32_t* tile, i64 mr, i64 nr, std::int32_t* y, i64 ldy, bool add) {
  for (i64 r = 0; r < mr; ++r) {
    for (i64 c = 0; c < nr; ++c) {
      const std::uint32_t old = add ? static_cast<std::uint32_t>(y[r * ldy + c]) : 0u;
      y[r * ldy + c] = static_cast<std::int32_t>(old + static_cast<std::uint32_t>(tile[r * kNR + c]));
    }
  }
}

// ---- packed path: 6 x 16 (or 6 x 8) register tile ---------------------------------------------

// The tiles below name every accumulator and are noinline: with accumulator arrays, or inlined into
// the blocking loops, GCC 12 spills accumulators to the stack and runs at half speed.
#define SAFFIRE_ROW16(cA, cB, xrow)                      \
  {                                                      \
    const __m256i b = broadcast_pair(xrow);              \
    cA = _mm256_add_epi32(cA, _mm256_madd_epi16(b, w0)); \
    cB = _mm256_add_epi32(cB, _mm256_madd_epi16(b, w1)); \
  }
#define SAFFIRE_ROW8(cA, xrow) cA = _mm256_add_epi32(cA, _mm256_madd_epi16(broadcast_pair(xrow), w0))

// Writes a 6 x 16 register tile (row r = acc[2r], acc[2r+1]) to Y[0:mr, 0:nr].
SAFFIRE_AVX2 inline void store_tile(const __m256i (&acc)[2 * kMR], std::int32_t* y, i64 ldy, i64 mr, i64 nr, bool add) {
  if (mr == kMR && nr == kNR) {
    for (int r = 0; r < kMR; ++r) {
      store8(y + r * ldy, acc[2 * r], add);
      store8(y + r * ldy + 8, acc[2 * r + 1], add);
    }
    return;
  }
  alignas(32) std::int32_t tile[kMR * kNR];
  for (int v = 0; v < 2 * kMR; ++v) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(tile + 8 * v), acc[v]);
  }
  store_tile_tail(tile, mr, nr, y, ldy, add);
}

// Y[0:mr, 0:nr] (=|+=) Xpacked[0:6, 0:2*kc2] * Wpanel; xs = row stride of packed X.
[[gnu::noinline]] SAFFIRE_AVX2 void micro_6x16(i64 kc2, const std::int16_t* xp, i64 xs, const std::int16_t* wp,
                                               std::int32_t* y, i64 ldy, i64 mr, i64 nr, bool add) {
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (i64 r = 0; r < mr; ++r) {  // the Y tile is needed after the k loop: fetch it meanwhile
    _mm_prefetch(reinterpret_cast<const char*>(y + r * ldy), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(y + r * ldy + nr - 1), _MM_HINT_T0);
  }
  const std::int16_t* x0 = xp;
  const std::int16_t* x3 = xp + 3 * xs;
  for (i64 t = 0; t < kc2; ++t, wp += 2 * kNR, x0 += 2, x3 += 2) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16));
    SAFFIRE_ROW16(c00, c01, x0);
    SAFFIRE_ROW16(c10, c11, x0 + xs);
    SAFFIRE_ROW16(c20, c21, x0 + 2 * xs);
    SAFFIRE_ROW16(c30, c31, x3);
    SAFFIRE_ROW16(c40, c41, x3 + xs);
    SAFFIRE_ROW16(c50, c51, x3 + 2 * xs);
  }
  const __m256i acc[2 * kMR] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  store_tile(acc, y, ldy, mr, nr, add);
}

// Same for a last panel with at most 8 valid columns (half the multiplies).
[[gnu::noinline]] SAFFIRE_AVX2 void micro_6x8(i64 kc2, const std::int16_t* xp, i64 xs, const std::int16_t* wp,
                                              std::int32_t* y, i64 ldy, i64 mr, i64 nr, bool add) {
  __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  const std::int16_t* x0 = xp;
  const std::int16_t* x3 = xp + 3 * xs;
  for (i64 t = 0; t < kc2; ++t, wp += 2 * kNR, x0 += 2, x3 += 2) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
    SAFFIRE_ROW8(c0, x0);
    SAFFIRE_ROW8(c1, x0 + xs);
    SAFFIRE_ROW8(c2, x0 + 2 * xs);
    SAFFIRE_ROW8(c3, x3);
    SAFFIRE_ROW8(c4, x3 + xs);
    SAFFIRE_ROW8(c5, x3 + 2 * xs);
  }
  const __m256i z = _mm256_setzero_si256();
  const __m256i acc[2 * kMR] = {c0, z, c1, z, c2, z, c3, z, c4, z, c5, z};
  store_tile(acc, y, ldy, mr, nr, add);
}

struct Scratch {
  PackBuffer<std::int16_t> w, x;
  PackBuffer<std::int8_t> wtail;
  PackBuffer<std::int32_t> acc;
};

SAFFIRE_AVX2 void gemm_packed(const Int8GemmArgs& a, Scratch& s) {
  std::int16_t* wbuf = s.w.get(static_cast<std::size_t>(kKC * kNC));
  std::int16_t* xbuf = s.x.get(static_cast<std::size_t>(kMC * kKC));
  for (i64 jc = 0; jc < a.n; jc += kNC) {
    const i64 nc = std::min(kNC, a.n - jc);
    for (i64 pc = 0; pc < a.k; pc += kKC) {
      const i64 kc = std::min(kKC, a.k - pc), kc2 = (kc + 1) / 2, kcp = 2 * kc2;
      pack_w_block(a.w + pc * a.ldw + jc, a.ldw, kc, nc, wbuf);
      const bool add = a.accumulate || pc > 0;
      for (i64 ic = 0; ic < a.m; ic += kMC) {
        const i64 mc = std::min(kMC, a.m - ic);
        pack_x_rows(a.x + ic * a.ldx + pc, a.ldx, mc, (mc + kMR - 1) / kMR * kMR, kc, kcp, xbuf);
        for (i64 jr = 0; jr < nc; jr += kNR) {
          const i64 nr = std::min(kNR, nc - jr);
          const std::int16_t* wp = wbuf + (jr / kNR) * kc2 * 2 * kNR;
          for (i64 ir = 0; ir < mc; ir += kMR) {
            const i64 mr = std::min(kMR, mc - ir);
            std::int32_t* y = a.y + (ic + ir) * a.ldy + jc + jr;
            if (nr > 8) {
              micro_6x16(kc2, xbuf + ir * kcp, kcp, wp, y, a.ldy, mr, nr, add);
            } else {
              micro_6x8(kc2, xbuf + ir * kcp, kcp, wp, y, a.ldy, mr, nr, add);
            }
          }
        }
      }
    }
  }
}

// ---- small-M path (decode GEMV): W streamed row by row, never packed -------------------------
//
// Packing W pays off only when many rows reuse it (measured on Zen 3: this path wins up to M ~ 32-48),
// so for M <= kSmallMaxRows W is read in place, four k-rows at a time, every row contiguously
// (strided column strips would defeat the prefetchers and thrash cache sets when ldw is a power of
// two). The M x nc int32 partial sums live in an L2-resident buffer; each 16-column group is kept as the two halves
// produced by the per-lane unpack (columns {0-3, 8-11} and {4-7, 12-15}) and reordered once at the end.

// Sign-extends 16 int8 of rows r0 and r1 and interleaves them into k-pairs (in unpack order).
SAFFIRE_AVX2 inline void load_pairs16(const std::int8_t* r0, const std::int8_t* r1, __m256i& lo, __m256i& hi) {
  const __m256i a = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r0)));
  const __m256i b = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r1)));
  lo = _mm256_unpacklo_epi16(a, b);
  hi = _mm256_unpackhi_epi16(a, b);
}

// acc[r][0:16] += X[r][p:p+4] * W[p:p+4][group] for one 16-column group; row[i] -> W[p+i][group].
template <int R>
SAFFIRE_AVX2 inline void small_m_group(const std::int8_t* r0, const std::int8_t* r1, const std::int8_t* r2,
                                       const std::int8_t* r3, const __m256i (&b01)[R], const __m256i (&b23)[R],
                                       std::int32_t* acc, i64 ncp) {
  __m256i lo01, hi01, lo23, hi23;
  load_pairs16(r0, r1, lo01, hi01);
  load_pairs16(r2, r3, lo23, hi23);
  for (int r = 0; r < R; ++r) {
    auto* a = reinterpret_cast<__m256i*>(acc + r * ncp);
    const __m256i lo = _mm256_add_epi32(_mm256_madd_epi16(b01[r], lo01), _mm256_madd_epi16(b23[r], lo23));
    const __m256i hi = _mm256_add_epi32(_mm256_madd_epi16(b01[r], hi01), _mm256_madd_epi16(b23[r], hi23));
    _mm256_store_si256(a, _mm256_add_epi32(_mm256_load_si256(a), lo));
    _mm256_store_si256(a + 1, _mm256_add_epi32(_mm256_load_si256(a + 1), hi));
  }
}

// acc[0:R, 0:nc] += X[0:R, p:p+4] * W[p:p+4, 0:nc] (w -> W[p][0], four full rows of stride ldw).
template <int R>
SAFFIRE_AVX2 void small_m_rows4(const std::int16_t* xp, i64 xs, i64 p, const std::int8_t* w, i64 ldw, i64 nc,
                                std::int32_t* acc, i64 ncp) {
  __m256i b01[R], b23[R];
  for (int r = 0; r < R; ++r) {
    b01[r] = broadcast_pair(xp + r * xs + p);
    b23[r] = broadcast_pair(xp + r * xs + p + 2);
  }
  const std::int8_t *r0 = w, *r1 = w + ldw, *r2 = w + 2 * ldw, *r3 = w + 3 * ldw;
  i64 j = 0;
  for (; j + 16 <= nc; j += 16) {
    small_m_group<R>(r0 + j, r1 + j, r2 + j, r3 + j, b01, b23, acc + j, ncp);
  }
  if (j < nc) {  // column tail: zero-padded copies, so nothing past the row is read
    alignas(16) std::int8_t t[4][16] = {};
    const auto nr = static_cast<std::size_t>(nc - j);
    std::memcpy(t[0], r0 + j, nr);
    std::memcpy(t[1], r1 + j, nr);
    std::memcpy(t[2], r2 + j, nr);
    std::memcpy(t[3], r3 + j, nr);
    small_m_group<R>(t[0], t[1], t[2], t[3], b01, b23, acc + j, ncp);
  }
}

// acc[0:R, 0:nc] += X[0:R, pc:pc+kc] * W[pc:pc+kc, 0:nc]; kc is a multiple of 4 except at the end of K,
// where the last 1-3 k-rows are copied into zeroed rows so nothing past W is read.
template <int R>
SAFFIRE_AVX2 void small_m_chunk(const Int8GemmArgs& a, i64 pc, i64 kc, const std::int16_t* xp, i64 xs,
                                std::int32_t* acc, i64 ncp, Scratch& s) {
  const i64 nc = a.n;
  i64 p = pc;
  for (; p + 4 <= pc + kc; p += 4) {
    small_m_rows4<R>(xp, xs, p, a.w + p * a.ldw, a.ldw, nc, acc, ncp);
  }
  if (p < pc + kc) {
    std::int8_t* t = s.wtail.get(static_cast<std::size_t>(4 * ncp));
    std::memset(t, 0, static_cast<std::size_t>(4 * ncp));
    for (i64 i = 0; p + i < pc + kc; ++i) {
      std::memcpy(t + i * ncp, a.w + (p + i) * a.ldw, static_cast<std::size_t>(nc));
    }
    small_m_rows4<R>(xp, xs, p, t, ncp, ncp, acc, ncp);
  }
}

// Y[0:m, 0:nc] (=|+=) Xpacked[0:m, 0:k] * W[0:k, 0:nc], m <= kSmallMaxRows; xs = packed
// X row stride (k rounded up to 4, zero-padded). Rows go in groups of four over a K chunk of W that
// stays in L2, so W comes from memory once.
SAFFIRE_AVX2 void small_m_block(const Int8GemmArgs& a, const std::int16_t* xp, i64 xs, Scratch& s) {
  const i64 nc = a.n, ncp = (nc + 15) / 16 * 16;
  std::int32_t* acc = s.acc.get(static_cast<std::size_t>(a.m * ncp));
  std::memset(acc, 0, static_cast<std::size_t>(a.m * ncp) * sizeof(std::int32_t));
  for (i64 pc = 0; pc < a.k; pc += kSmallKC) {
    const i64 kc = std::min(kSmallKC, a.k - pc);
    for (i64 i = 0; i < a.m; i += 4) {
      const std::int16_t* xi = xp + i * xs;
      std::int32_t* ai = acc + i * ncp;
      switch (std::min<i64>(4, a.m - i)) {
        case 4:
          small_m_chunk<4>(a, pc, kc, xi, xs, ai, ncp, s);
          break;
        case 3:
          small_m_chunk<3>(a, pc, kc, xi, xs, ai, ncp, s);
          break;
        case 2:
          small_m_chunk<2>(a, pc, kc, xi, xs, ai, ncp, s);
          break;
        default:
          small_m_chunk<1>(a, pc, kc, xi, xs, ai, ncp, s);
          break;
      }
    }
  }
  for (i64 r = 0; r < a.m; ++r) {
    for (i64 j = 0; j < nc; j += 16) {  // undo the unpack order: lanes -> columns j+0..7 and j+8..15
      const __m256i lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(acc + r * ncp + j));
      const __m256i hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(acc + r * ncp + j + 8));
      const __m256i c0 = _mm256_permute2x128_si256(lo, hi, 0x20), c1 = _mm256_permute2x128_si256(lo, hi, 0x31);
      std::int32_t* y = a.y + r * a.ldy + j;
      if (j + 16 <= nc) {
        store8(y, c0, a.accumulate);
        store8(y + 8, c1, a.accumulate);
      } else {
        alignas(32) std::int32_t tile[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(tile), c0);
        _mm256_store_si256(reinterpret_cast<__m256i*>(tile + 8), c1);
        store_tile_tail(tile, 1, nc - j, y, a.ldy, a.accumulate);
      }
    }
  }
}

SAFFIRE_AVX2 void gemm_small_m(const Int8GemmArgs& a, Scratch& s) {
  const i64 xs = (a.k + 3) / 4 * 4;
  std::int16_t* xp = s.x.get(static_cast<std::size_t>(a.m * xs));
  pack_x_rows(a.x, a.ldx, a.m, a.m, a.k, xs, xp);
  // Column blocks of 1024-2048: long contiguous row segments, partial sums within kSmallAccBytes.
  const i64 nc_max = std::clamp<i64>(kSmallAccBytes / 4 / a.m / 16 * 16, 1024, 2048);
  for (i64 j = 0; j < a.n; j += nc_max) {
    const Int8GemmArgs blk = gemm_sub_block(a, 0, a.m, j, std::min(nc_max, a.n - j));
    small_m_block(blk, xp, xs, s);
  }
}

// ---- small-N path: dot products of X rows with the few columns of W ---------------------------
//
// With N <= kSmallMaxCols a 16-column W panel would be mostly zero padding; instead W^T is packed
// once (N rows of kp int16, kp = K rounded up to 16, zero-padded) and each X row is sign-extended
// 16 values at a time and multiplied with every column.

SAFFIRE_AVX2 inline std::uint32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return static_cast<std::uint32_t>(_mm_cvtsi128_si32(s));
}

template <int N>
[[gnu::noinline]] SAFFIRE_AVX2 void small_n_rows(const Int8GemmArgs& a, const std::int16_t* wt, i64 kp) {
  for (i64 i = 0; i < a.m; ++i) {
    const std::int8_t* xr = a.x + i * a.ldx;
    __m256i acc[N];
    for (auto& v : acc) {
      v = _mm256_setzero_si256();
    }
    for (i64 p = 0; p < a.k; p += 16) {
      __m128i xb;
      if (p + 16 <= a.k) {
        xb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(xr + p));
      } else {  // K tail: zero-padded copy, nothing past the row is read
        alignas(16) std::int8_t t[16] = {};
        std::memcpy(t, xr + p, static_cast<std::size_t>(a.k - p));
        xb = _mm_load_si128(reinterpret_cast<const __m128i*>(t));
      }
      const __m256i xv = _mm256_cvtepi8_epi16(xb);
      for (int j = 0; j < N; ++j) {
        acc[j] = _mm256_add_epi32(
            acc[j], _mm256_madd_epi16(xv, _mm256_load_si256(reinterpret_cast<const __m256i*>(wt + j * kp + p))));
      }
    }
    for (int j = 0; j < N; ++j) {
      std::int32_t& y = a.y[i * a.ldy + j];
      y = static_cast<std::int32_t>((a.accumulate ? static_cast<std::uint32_t>(y) : 0u) + hsum_epi32(acc[j]));
    }
  }
}

void gemm_small_n(const Int8GemmArgs& a, Scratch& s) {
  if (a.k < 16) {  // dot products shorter than one vector: the reference loop is faster than packing
    naive_int8_gemm(a);
    return;
  }
  const i64 kp = (a.k + 15) / 16 * 16;
  std::int16_t* wt = s.w.get(static_cast<std::size_t>(a.n * kp));
  for (i64 j = 0; j < a.n; ++j) {
    for (i64 p = 0; p < a.k; ++p) {
      wt[j * kp + p] = a.w[p * a.ldw + j];
    }
    std::fill(wt + j * kp + a.k, wt + (j + 1) * kp, std::int16_t{0});
  }
  switch (a.n) {
    case 8:
      small_n_rows<8>(a, wt, kp);
      break;
    case 7:
      small_n_rows<7>(a, wt, kp);
      break;
    case 6:
      small_n_rows<6>(a, wt, kp);
      break;
    case 5:
      small_n_rows<5>(a, wt, kp);
      break;
    case 4:
      small_n_rows<4>(a, wt, kp);
      break;
    case 3:
      small_n_rows<3>(a, wt, kp);
      break;
    case 2:
      small_n_rows<2>(a, wt, kp);
      break;
    default:
      small_n_rows<1>(a, wt, kp);
      break;
  }
}

void gemm_serial(const Int8GemmArgs& a) {
  thread_local Scratch scratch;
  if (a.n <= kSmallMaxCols) {
    gemm_small_n(a, scratch);
  } else if (a.m <= kSmallMaxRows) {
    gemm_small_m(a, scratch);
  } else {
    gemm_packed(a, scratch);
  }
}

class Avx2Kernel final : public Int8GemmKernel {
 public:
  std::string_view name() const override { return "avx2"; }
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
    // Row blocks must stay above the small-M range, or each thread would stream all of W.
    run_gemm_blocks(a, threads, kMR, kSmallMaxRows + 1, 64, gemm_serial);
  }
};

}  // namespace

bool avx2_kernel_supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

std::unique_ptr<Int8GemmKernel> make_avx2_kernel() { return std::make_unique<Avx2Kernel>(); }

}  // namespace saffire::models::detail
