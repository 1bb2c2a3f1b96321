#include "sim/faults/numeric_timing_faults.hpp"

#include <algorithm>
#include <stdexcept>

#include "arch/fault_site.hpp"
#include "arch/numerics/pe_arithmetic.hpp"
#include "arch/timing/fp_adder_timing.hpp"

namespace saffire::faults {

std::vector<AccumulateError> timing_numeric_gemm(const arch::ArrayConfig& array, const arch::TimingModel& timing,
                                                 const models::NumericGemmArgs& a) {
  const arch::PeNumerics& nm = array.numerics;
  if (!nm.is_float()) throw std::invalid_argument("timing_numeric_gemm: floating-point PEs only");
  if (timing.rows() < array.rows || timing.cols() < array.cols)
    throw std::invalid_argument("timing_numeric_gemm: the timing model does not cover the array");
  const int width = arch::info(nm.accumulator).precision + 3;
  std::vector<int> safe(static_cast<std::size_t>(array.rows) * static_cast<std::size_t>(array.cols));
  for (int r = 0; r < array.rows; ++r)
    for (int c = 0; c < array.cols; ++c)
      safe[static_cast<std::size_t>(r) * static_cast<std::size_t>(array.cols) + static_cast<std::size_t>(c)] =
          arch::fp_max_safe_chain(width, timing.config().guard_band, timing.delay_scale() * timing.pe_factor(r, c));
  const arch::PeArithmetic arith(nm);
  const models::AccumulationOrder order = models::accumulation_order(array);
  const std::int64_t fold = order.dataflow == arch::Dataflow::OS ? std::max<std::int64_t>(a.k, 1) : order.fold_rows;
  const bool pad_short = order.dataflow == arch::Dataflow::WS;
  const arch::GemmShape shape{a.m, a.n, a.k};
  std::vector<AccumulateError> errors;
  for (std::int64_t i = 0; i < a.m; ++i)
    for (std::int64_t j = 0; j < a.n; ++j) {
      double y = 0.0;
      for (std::int64_t k0 = 0; k0 < a.k; k0 += fold) {
        const std::int64_t k1 = std::min(a.k, k0 + fold);
        double p = 0.0;
        for (std::int64_t k = k0; k < k1; ++k) {
          const double x = a.x[i * a.ldx + k], w = a.w[k * a.ldw + j];
          const arch::HardwareSite pe = arch::map_to_hardware(array, shape, {i, j, k});
          const int s = safe[static_cast<std::size_t>(pe.pe_row * array.cols + pe.pe_col)];
          const double addend = nm.fma ? x * w : arch::round_to(nm.accumulator, x * w);
          int bit = -1;
          const double latched = arch::fp_latched_sum(nm.accumulator, p, addend, s, &bit);
          if (bit >= 0) {
            const double correct = arith.mac(p, x, w);
            errors.push_back({i, j, k, bit, arch::encode(nm.accumulator, correct), arch::encode(nm.accumulator, latched)});
          }
          p = latched;
        }
        if (pad_short && k1 - k0 < fold) p = arith.mac(p, 0.0, 0.0);
        y = arith.buffer_add(y, p);
      }
      a.y[i * a.ldy + j] = y;
    }
  return errors;
}

}  // namespace saffire::faults
