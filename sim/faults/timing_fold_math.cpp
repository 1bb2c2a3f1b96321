#include "sim/faults/timing_fold_math.hpp"

#include <algorithm>

#include "arch/timing/carry_chain.hpp"

namespace saffire::faults {
namespace {

bool canonical_order(const TimingError& x, const TimingError& y) {
  if (x.m != y.m) return x.m < y.m;
  if (x.n != y.n) return x.n < y.n;
  return x.k < y.k;
}

// acc[c] += addend[c] on PEs (r, c), c < cols, with the timing rule. The flags are computed by a
// branch-free (vectorized) pass; only rows with a failing accumulate take the scalar path.
template <typename OnError>
void accumulate_row(const arch::TimingModel& tm, int r, std::uint32_t* acc, const std::int32_t* addend,
                    std::uint32_t* flag, std::int64_t cols, OnError&& on_error) {
  const std::uint32_t* safe = tm.safe_row(r);
  std::uint32_t any = 0;
  for (std::int64_t c = 0; c < cols; ++c) {
    flag[c] = arch::timing_error_flag<32>(acc[c], static_cast<std::uint32_t>(addend[c]), safe[c]);
    any |= flag[c];
  }
  if (!any) {
    for (std::int64_t c = 0; c < cols; ++c) acc[c] += static_cast<std::uint32_t>(addend[c]);
    return;
  }
  for (std::int64_t c = 0; c < cols; ++c) {
    if (!flag[c]) {
      acc[c] += static_cast<std::uint32_t>(addend[c]);
      continue;
    }
    const std::uint32_t exact = acc[c] + static_cast<std::uint32_t>(addend[c]);
    int j = -1;
    acc[c] = arch::latched_sum<32>(acc[c], static_cast<std::uint32_t>(addend[c]), static_cast<int>(safe[c]), &j);
    on_error(c, j, exact, acc[c]);
  }
}

void ws_fold(const arch::TimingModel& tm, const models::Int8GemmArgs& a, const arch::Fold& fold,
             std::vector<TimingError>& errors) {
  const std::int64_t cols = fold.cols_used;
  std::vector<std::uint32_t> acc(static_cast<std::size_t>(cols)), flag(acc.size());
  std::vector<std::int32_t> addend(acc.size());
  for (std::int64_t m = 0; m < a.m; ++m) {
    const std::int8_t* xm = a.x + m * a.ldx + fold.row0;
    const std::int8_t* w0 = a.w + fold.row0 * a.ldw + fold.col0;
    // PE row 0 adds its product to a zero partial sum: no carry chain, never an error.
    for (std::int64_t c = 0; c < cols; ++c) acc[c] = static_cast<std::uint32_t>(std::int32_t{xm[0]} * w0[c]);
    for (std::int64_t r = 1; r < fold.rows_used; ++r) {
      const std::int32_t xv = xm[r];
      const std::int8_t* wr = a.w + (fold.row0 + r) * a.ldw + fold.col0;
      for (std::int64_t c = 0; c < cols; ++c) addend[c] = xv * wr[c];
      accumulate_row(tm, static_cast<int>(r), acc.data(), addend.data(), flag.data(), cols,
                     [&](std::int64_t c, int j, std::uint32_t before, std::uint32_t after) {
                       errors.push_back({m, fold.col0 + c, fold.row0 + r, j, before, after});
                     });
    }
    std::int32_t* y = a.y + m * a.ldy + fold.col0;
    for (std::int64_t c = 0; c < cols; ++c)
      y[c] = static_cast<std::int32_t>(static_cast<std::uint32_t>(y[c]) + acc[c]);
  }
}

void os_fold(const arch::TimingModel& tm, const models::Int8GemmArgs& a, const arch::Fold& fold,
             std::vector<TimingError>& errors) {
  const std::int64_t rows = fold.rows_used, cols = fold.cols_used;
  std::vector<std::uint32_t> acc(static_cast<std::size_t>(rows * cols), 0u), flag(static_cast<std::size_t>(cols));
  std::vector<std::int32_t> addend(static_cast<std::size_t>(cols));
  for (std::int64_t k = 0; k < a.k; ++k) {
    const std::int8_t* wk = a.w + k * a.ldw + fold.col0;
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int32_t xv = a.x[(fold.row0 + r) * a.ldx + k];
      for (std::int64_t c = 0; c < cols; ++c) addend[c] = xv * wk[c];
      accumulate_row(tm, static_cast<int>(r), &acc[static_cast<std::size_t>(r * cols)], addend.data(), flag.data(),
                     cols, [&](std::int64_t c, int j, std::uint32_t before, std::uint32_t after) {
                       errors.push_back({fold.row0 + r, fold.col0 + c, k, j, before, after});
                     });
    }
  }
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int32_t* y = a.y + (fold.row0 + r) * a.ldy + fold.col0;
    const std::uint32_t* ar = &acc[static_cast<std::size_t>(r * cols)];
    for (std::int64_t c = 0; c < cols; ++c)
      y[c] = static_cast<std::int32_t>((a.accumulate ? static_cast<std::uint32_t>(y[c]) : 0u) + ar[c]);
  }
}

}  // namespace

void timing_fold(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::Int8GemmArgs& args,
                 const arch::Fold& fold, std::vector<TimingError>& errors) {
  if (cfg.dataflow == arch::Dataflow::WS) {
    ws_fold(tm, args, fold, errors);
  } else {
    os_fold(tm, args, fold, errors);
  }
}

void timing_gemm(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::Int8GemmArgs& args,
                 std::vector<TimingError>& errors) {
  const arch::FoldPlan plan(cfg, {args.m, args.n, args.k});
  if (cfg.dataflow == arch::Dataflow::WS && !args.accumulate)
    for (std::int64_t i = 0; i < args.m; ++i) std::fill_n(args.y + i * args.ldy, args.n, 0);
  const std::size_t first = errors.size();
  for (std::int64_t f = 0; f < plan.count(); ++f) timing_fold(cfg, tm, args, plan.fold(f), errors);
  std::sort(errors.begin() + static_cast<std::ptrdiff_t>(first), errors.end(), canonical_order);
}

void sort_timing_errors(std::vector<TimingError>& errors) { std::sort(errors.begin(), errors.end(), canonical_order); }

}  // namespace saffire::faults
