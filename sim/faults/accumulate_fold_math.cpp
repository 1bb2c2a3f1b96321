#include "sim/faults/accumulate_fold_math.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "arch/timing/carry_chain.hpp"

namespace saffire::faults {
namespace {

bool canonical_order(const AccumulateError& x, const AccumulateError& y) {
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
             std::vector<AccumulateError>& errors) {
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
             std::vector<AccumulateError>& errors) {
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

// The value one stuck-at PE latches, and its error if it changed the sum.
template <typename OnError>
std::uint32_t stuck_accumulate(const StuckAtMap& map, int r, int c, std::uint32_t acc, std::int32_t addend,
                               OnError&& on_error) {
  const std::uint32_t sum = acc + static_cast<std::uint32_t>(addend);
  const std::uint32_t latched = map.force(r, c, sum);
  if (latched != sum) on_error(std::countr_zero(latched ^ sum), sum, latched);
  return latched;
}

// WS: the columns with a faulty PE; each partial sum walks all R PE rows of its column.
void ws_stuck_fold(const arch::ArrayConfig& cfg, const StuckAtMap& map, const models::Int8GemmArgs& a,
                   const arch::Fold& fold, std::vector<AccumulateError>& errors) {
  const int R = static_cast<int>(cfg.rows);
  for (std::int64_t c = 0; c < fold.cols_used; ++c) {
    if (!map.column_faulty(static_cast<int>(c))) continue;
    const std::int64_t n = fold.col0 + c;
    for (std::int64_t m = 0; m < a.m; ++m) {
      const std::int8_t* xm = a.x + m * a.ldx + fold.row0;
      std::uint32_t exact = 0, psum = 0;
      for (int r = 0; r < R; ++r) {
        const std::int32_t prod = r < fold.rows_used ? std::int32_t{xm[r]} * a.w[(fold.row0 + r) * a.ldw + n] : 0;
        exact += static_cast<std::uint32_t>(prod);
        psum = stuck_accumulate(map, r, static_cast<int>(c), psum, prod, [&](int bit, std::uint32_t before, std::uint32_t after) {
          errors.push_back({m, n, fold.row0 + r, bit, before, after});
        });
      }
      std::int32_t& y = a.y[m * a.ldy + n];
      y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) + psum - exact);
    }
  }
}

// OS: the outputs held by faulty PEs; each walks its K accumulates.
void os_stuck_fold(const StuckAtMap& map, const models::Int8GemmArgs& a, const arch::Fold& fold,
                   std::vector<AccumulateError>& errors) {
  for (const auto& [r, c] : map.faulty_pes()) {
    if (r >= fold.rows_used || c >= fold.cols_used) continue;
    const std::int64_t m = fold.row0 + r, n = fold.col0 + c;
    std::uint32_t exact = 0, acc = 0;
    for (std::int64_t k = 0; k < a.k; ++k) {
      const std::int32_t prod = std::int32_t{a.x[m * a.ldx + k]} * a.w[k * a.ldw + n];
      exact += static_cast<std::uint32_t>(prod);
      acc = stuck_accumulate(map, r, c, acc, prod, [&](int bit, std::uint32_t before, std::uint32_t after) {
        errors.push_back({m, n, k, bit, before, after});
      });
    }
    std::int32_t& y = a.y[m * a.ldy + n];
    y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) + acc - exact);
  }
}

}  // namespace

void stuck_at_fold(const arch::ArrayConfig& cfg, const StuckAtMap& map, const models::Int8GemmArgs& args,
                   const arch::Fold& fold, std::vector<AccumulateError>& errors) {
  if (cfg.dataflow == arch::Dataflow::WS) {
    ws_stuck_fold(cfg, map, args, fold, errors);
  } else {
    os_stuck_fold(map, args, fold, errors);
  }
}

void rule_gemm(const arch::ArrayConfig& cfg, const AccumulateRule& rule, const models::Int8GemmArgs& args,
               const std::function<void()>& exact, std::vector<AccumulateError>& errors) {
  if (const auto* tm = std::get_if<const arch::TimingModel*>(&rule)) {
    timing_gemm(cfg, **tm, args, errors);
    return;
  }
  const auto* stuck = std::get_if<const StuckAtMap*>(&rule);
  if (!stuck) throw std::logic_error("rule_gemm: no accumulate rule");
  exact();
  const arch::FoldPlan plan(cfg, {args.m, args.n, args.k});
  const std::size_t first = errors.size();
  for (std::int64_t f = 0; f < plan.count(); ++f) stuck_at_fold(cfg, **stuck, args, plan.fold(f), errors);
  std::sort(errors.begin() + static_cast<std::ptrdiff_t>(first), errors.end(), canonical_order);
}

void timing_fold(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::Int8GemmArgs& args,
                 const arch::Fold& fold, std::vector<AccumulateError>& errors) {
  if (cfg.dataflow == arch::Dataflow::WS) {
    ws_fold(tm, args, fold, errors);
  } else {
    os_fold(tm, args, fold, errors);
  }
}

void timing_gemm(const arch::ArrayConfig& cfg, const arch::TimingModel& tm, const models::Int8GemmArgs& args,
                 std::vector<AccumulateError>& errors) {
  const arch::FoldPlan plan(cfg, {args.m, args.n, args.k});
  if (cfg.dataflow == arch::Dataflow::WS && !args.accumulate)
    for (std::int64_t i = 0; i < args.m; ++i) std::fill_n(args.y + i * args.ldy, args.n, 0);
  const std::size_t first = errors.size();
  for (std::int64_t f = 0; f < plan.count(); ++f) timing_fold(cfg, tm, args, plan.fold(f), errors);
  std::sort(errors.begin() + static_cast<std::ptrdiff_t>(first), errors.end(), canonical_order);
}

void sort_timing_errors(std::vector<AccumulateError>& errors) { std::sort(errors.begin(), errors.end(), canonical_order); }

}  // namespace saffire::faults
