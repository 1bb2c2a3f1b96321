// "cuda" INT8 GEMM (see cuda_int8_gemm.hpp). One call: copy the operands into zero-padded device
// buffers, multiply with cuBLAS (or the custom kernel below), copy Y back.
//
// Device layouts: row-major, every dimension padded to a multiple of kPad with zeros, so cuBLAS's
// int8 alignment rules (16-byte rows, dimensions multiple of 4) always hold:
//   Xd [mp x kp] int8, ld kp;  Wd [kp x np] int8, ld np;  Yd, Td [mp x np] int32, ld np.
// Row-major Y = X W is column-major Y^T = W^T X^T, which is cublasGemmEx(N, N, n, m, k) on W then X.
// Exactness: K is cut into chunks of at most 2^16 so no cuBLAS sum can overflow int32 (|sum| <= 2^30);
// chunks and accumulate=true are combined by add_wrap (uint32, mod 2^32), never by cuBLAS's beta.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>

#include "models/gemm/cuda_int8_gemm.hpp"

namespace saffire::models {
namespace {

using i64 = std::int64_t;

constexpr i64 kPad = 16;
constexpr i64 kMaxChunkK = i64{1} << 16;  // multiple of kPad

i64 round_up(i64 v, i64 m) { return (v + m - 1) / m * m; }

void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    throw std::runtime_error(std::string("CUDA INT8 GEMM: ") + what + ": " + cudaGetErrorString(e));
  }
}

// Device memory grown on demand and kept between calls.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (m_ptr) {
      cudaFree(m_ptr);
    }
  }
  void* get(std::size_t bytes) {
    if (bytes > m_bytes) {
      if (m_ptr) {
        cudaFree(m_ptr);
      }
      m_ptr = nullptr;
      m_bytes = 0;
      check_cuda(cudaMalloc(&m_ptr, bytes), "cudaMalloc");
      m_bytes = bytes;
    }
    return m_ptr;
  }

 private:
  void* m_ptr = nullptr;
  std::size_t m_bytes = 0;
};

// ---- custom kernel: any shape, any leading dimensions ------------------------------------------
// A block of kTile x (kTile / kRowsPerThread) threads computes a kTile x kTile tile of Y; each thread
// one column and kRowsPerThread rows, over kTileK-deep slices of X and W staged in shared memory.
constexpr int kTile = 32, kTileK = 32, kRowsPerThread = 4, kThreadRows = kTile / kRowsPerThread;

__global__ void int8_gemm_tiled(i64 m, i64 n, i64 k, const std::int8_t* x, i64 ldx, const std::int8_t* w, i64 ldw,
                                std::int32_t* y, i64 ldy, bool add) {
  __shared__ int xs[kTile][kTileK + 1];
  __shared__ int ws[kTileK][kTile + 1];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const i64 row0 = static_cast<i64>(blockIdx.x) * kTile;
  const i64 col = static_cast<i64>(blockIdx.y) * kTile + tx;
  unsigned acc[kRowsPerThread] = {};
  for (i64 k0 = 0; k0 < k; k0 += kTileK) {
    for (int r = ty; r < kTile; r += kThreadRows) {
      const i64 gr = row0 + r, gk = k0 + tx;
      xs[r][tx] = (gr < m && gk < k) ? x[gr * ldx + gk] : 0;
    }
    for (int kk = ty; kk < kTileK; kk += kThreadRows) {
      const i64 gk = k0 + kk;
      ws[kk][tx] = (gk < k && col < n) ? w[gk * ldw + col] : 0;
    }
    __syncthreads();
    for (int kk = 0; kk < kTileK; ++kk) {
      const int wv = ws[kk][tx];
      for (int i = 0; i < kRowsPerThread; ++i) {
        acc[i] += static_cast<unsigned>(xs[ty + kThreadRows * i][kk] * wv);
      }
    }
    __syncthreads();
  }
  for (int i = 0; i < kRowsPerThread; ++i) {
    const i64 r = row0 + ty + kThreadRows * i;
    if (r < m && col < n) {
      std::int32_t& out = y[r * ldy + col];
      out = static_cast<std::int32_t>((add ? static_cast<unsigned>(out) : 0u) + acc[i]);
    }
  }
}

// y[i] += t[i] mod 2^32.
__global__ void add_wrap(std::int32_t* y, const std::int32_t* t, i64 count) {
  for (i64 i = blockIdx.x * static_cast<i64>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<i64>(gridDim.x) * blockDim.x) {
    y[i] = static_cast<std::int32_t>(static_cast<unsigned>(y[i]) + static_cast<unsigned>(t[i]));
  }
}

// The process's GPU state: stream, cuBLAS handle and device buffers, shared by all kernel objects
// (cublasCreate and cudaMalloc cost far more than a small GEMM) and used by one GEMM at a time.
struct GpuContext {
  std::mutex mutex;
  cudaStream_t stream = nullptr;
  cublasHandle_t handle = nullptr;
  DeviceBuffer x, w, y, t;

  GpuContext() {
    check_cuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) {
      throw std::runtime_error("CUDA INT8 GEMM: cublasCreate failed");
    }
    cublasSetStream(handle, stream);
  }
};

// Created on first use and never destroyed: freeing CUDA resources from static destructors races
// the CUDA runtime's own shutdown.
GpuContext& gpu_context() {
  static GpuContext* ctx = new GpuContext();
  return *ctx;
}

class CudaKernel final : public Int8GemmKernel {
 public:
  explicit CudaKernel(CudaGemmPath path) : m_path(path), m_ctx(gpu_context()) {}

  std::string_view name() const override { return "cuda"; }

  void run(const Int8GemmArgs& a, int /*threads*/) const override {
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
    GpuContext& g = m_ctx;
    std::lock_guard<std::mutex> lock(g.mutex);
    const i64 mp = round_up(a.m, kPad), np = round_up(a.n, kPad), kp = round_up(a.k, kPad);
    auto* xd = static_cast<std::int8_t*>(g.x.get(static_cast<std::size_t>(mp * kp)));
    auto* wd = static_cast<std::int8_t*>(g.w.get(static_cast<std::size_t>(kp * np)));
    auto* yd = static_cast<std::int32_t*>(g.y.get(static_cast<std::size_t>(mp * np) * sizeof(std::int32_t)));
    check_cuda(cudaMemsetAsync(xd, 0, static_cast<std::size_t>(mp * kp), g.stream), "cudaMemset");
    check_cuda(cudaMemsetAsync(wd, 0, static_cast<std::size_t>(kp * np), g.stream), "cudaMemset");
    // (a single row may come with any leading dimension; cudaMemcpy2D wants pitch >= width)
    const i64 ldx = a.m == 1 ? a.k : a.ldx, ldw = a.k == 1 ? a.n : a.ldw;
    check_cuda(cudaMemcpy2DAsync(xd, kp, a.x, ldx, a.k, a.m, cudaMemcpyHostToDevice, g.stream), "copy X");
    check_cuda(cudaMemcpy2DAsync(wd, np, a.w, ldw, a.n, a.k, cudaMemcpyHostToDevice, g.stream), "copy W");
    upload_y(a, yd, np);

    const bool cublas_ok = m_path != CudaGemmPath::custom && mp <= INT_MAX && np <= INT_MAX && kp <= INT_MAX &&
                           gemm_cublas(a.accumulate, mp, np, kp, xd, wd, yd);
    if (!cublas_ok) {
      upload_y(a, yd, np);  // a refused later chunk may have written Yd
      gemm_custom(a, xd, kp, wd, np, yd);
    }
    check_cuda(cudaMemcpy2DAsync(a.y, ldy_bytes(a), yd, np * sizeof(std::int32_t), a.n * sizeof(std::int32_t), a.m,
                                 cudaMemcpyDeviceToHost, g.stream),
               "copy Y");
    check_cuda(cudaStreamSynchronize(g.stream), "GEMM");
  }

 private:
  static std::size_t ldy_bytes(const Int8GemmArgs& a) {
    return static_cast<std::size_t>(a.m == 1 ? a.n : a.ldy) * sizeof(std::int32_t);
  }

  void upload_y(const Int8GemmArgs& a, std::int32_t* yd, i64 np) const {
    if (a.accumulate) {
      check_cuda(cudaMemcpy2DAsync(yd, np * sizeof(std::int32_t), a.y, ldy_bytes(a), a.n * sizeof(std::int32_t), a.m,
                                   cudaMemcpyHostToDevice, m_ctx.stream),
                 "copy Y");
    }
  }

  // Yd (=|+=) Xd * Wd on the padded shapes via cuBLAS; false when cuBLAS refuses them.
  bool gemm_cublas(bool accumulate, i64 mp, i64 np, i64 kp, const std::int8_t* xd, const std::int8_t* wd,
                   std::int32_t* yd) const {
    std::int32_t* td = nullptr;
    const std::int32_t alpha = 1, beta = 0;
    for (i64 pc = 0; pc < kp; pc += kMaxChunkK) {
      const i64 kc = std::min(kMaxChunkK, kp - pc);
      const bool direct = pc == 0 && !accumulate;
      if (!direct && !td) {
        td = static_cast<std::int32_t*>(m_ctx.t.get(static_cast<std::size_t>(mp * np) * sizeof(std::int32_t)));
      }
      std::int32_t* out = direct ? yd : td;
      const cublasStatus_t st = cublasGemmEx(
          m_ctx.handle, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(np), static_cast<int>(mp), static_cast<int>(kc),
          &alpha, wd + pc * np, CUDA_R_8I, static_cast<int>(np), xd + pc, CUDA_R_8I, static_cast<int>(kp), &beta, out,
          CUDA_R_32I, static_cast<int>(np), CUBLAS_COMPUTE_32I, CUBLAS_GEMM_DEFAULT);
      if (st == CUBLAS_STATUS_NOT_SUPPORTED || st == CUBLAS_STATUS_INVALID_VALUE || st == CUBLAS_STATUS_ARCH_MISMATCH) {
        return false;
      }
      if (st != CUBLAS_STATUS_SUCCESS) {
        throw std::runtime_error("CUDA INT8 GEMM: cublasGemmEx failed with status " + std::to_string(st));
      }
      if (!direct) {
        add_wrap<<<std::min<i64>((mp * np + 255) / 256, 4096), 256, 0, m_ctx.stream>>>(yd, td, mp * np);
        check_cuda(cudaGetLastError(), "add_wrap launch");
      }
    }
    return true;
  }

  void gemm_custom(const Int8GemmArgs& a, const std::int8_t* xd, i64 kp, const std::int8_t* wd, i64 np,
                   std::int32_t* yd) const {
    const i64 row_tiles = (a.m + kTile - 1) / kTile, col_tiles = (a.n + kTile - 1) / kTile;
    if (row_tiles > INT_MAX || col_tiles > 65535) {
      throw std::runtime_error("CUDA INT8 GEMM: shape too large for the custom kernel");
    }
    const dim3 grid(static_cast<unsigned>(row_tiles), static_cast<unsigned>(col_tiles));
    const dim3 block(kTile, kThreadRows);
    int8_gemm_tiled<<<grid, block, 0, m_ctx.stream>>>(a.m, a.n, a.k, xd, kp, wd, np, yd, np, a.accumulate);
    check_cuda(cudaGetLastError(), "kernel launch");
  }

  CudaGemmPath m_path;
  GpuContext& m_ctx;
};

std::string check_device() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error
    return std::string("no usable CUDA device (") + cudaGetErrorString(e) + ")";
  }
  if (count == 0) {
    return "no CUDA device";
  }
  int dev = 0;
  cudaDeviceProp prop{};
  if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) {
    return "cannot query the CUDA device";
  }
  if (prop.major < 9) {
    return std::string("CUDA device ") + prop.name + " has compute capability " + std::to_string(prop.major) + "." +
           std::to_string(prop.minor) + "; saffire's CUDA code is built for sm_90 and newer";
  }
  return {};
}

}  // namespace

const std::string& cuda_int8_gemm_unavailable_reason() {
  static const std::string reason = check_device();
  return reason;
}

std::unique_ptr<Int8GemmKernel> make_cuda_int8_gemm_kernel(CudaGemmPath path) {
  const std::string& why = cuda_int8_gemm_unavailable_reason();
  if (!why.empty()) {
    throw std::runtime_error("INT8 GEMM kernel 'cuda' is unavailable: " + why);
  }
  return std::make_unique<CudaKernel>(path);
}

}  // namespace saffire::models
