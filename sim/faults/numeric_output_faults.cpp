#include "sim/faults/numeric_output_faults.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "arch/config_error.hpp"
#include "arch/numerics/pe_arithmetic.hpp"
#include "sim/faults/numeric_timing_faults.hpp"

namespace saffire::faults {
namespace {

double flip_bits(arch::NumberFormat f, double v, std::uint32_t mask) {
  return arch::decode(f, arch::encode(f, v) ^ mask);
}

// The walk of ordered_gemm's scalar step for one output, with `mask` XOR-ed into the accumulator word
// after the mac of step K-1.
double walk(const arch::PeNumerics& numerics, const models::AccumulationOrder& order, const models::NumericGemmArgs& a,
            std::int64_t m, std::int64_t n, std::uint32_t mask) {
  const arch::PeArithmetic arith(numerics);
  const std::int64_t fold = order.dataflow == arch::Dataflow::OS ? std::max<std::int64_t>(a.k, 1) : order.fold_rows;
  const bool pad_short = order.dataflow == arch::Dataflow::WS;
  double y = 0.0;
  for (std::int64_t k0 = 0; k0 < a.k; k0 += fold) {
    const std::int64_t k1 = std::min(a.k, k0 + fold);
    double p = 0.0;
    for (std::int64_t k = k0; k < k1; ++k) p = arith.mac(p, a.x[m * a.ldx + k], a.w[k * a.ldw + n]);
    if (k1 == a.k) p = flip_bits(numerics.accumulator, p, mask);
    if (pad_short && k1 - k0 < fold) p = arith.mac(p, 0.0, 0.0);
    y = arith.buffer_add(y, p);
  }
  return y;
}

}  // namespace

void check_accumulator_bit(const arch::PeNumerics& numerics, int bit, const char* key) {
  const int width = arch::info(numerics.accumulator).bits;
  if (bit < 0 || bit >= width)
    throw ConfigError(fmt::format("{}: bit {} is not a bit of the {} accumulator (0..{})", key, bit,
                                  arch::to_string(numerics.accumulator), width - 1));
}

double faulty_numeric_output(const arch::PeNumerics& numerics, const models::AccumulationOrder& order,
                             const models::NumericGemmArgs& args, std::int64_t m, std::int64_t n, int bit) {
  check_accumulator_bit(numerics, bit, "fault.bit");
  return walk(numerics, order, args, m, n, std::uint32_t{1} << bit);
}

void apply_numeric_output_faults(const arch::PeNumerics& numerics, const models::AccumulationOrder& order,
                                 const models::NumericGemmArgs& args, const std::vector<arch::OutputFault>& faults) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::uint32_t> masks;
  for (const arch::OutputFault& f : faults) {
    check_accumulator_bit(numerics, f.bit, "fault.bit");
    masks[{f.m, f.n}] ^= std::uint32_t{1} << f.bit;
  }
  for (const auto& [site, mask] : masks)
    args.y[site.first * args.ldy + site.second] = walk(numerics, order, args, site.first, site.second, mask);
}

void check_numeric_fault_plan(const FaultPlan& plan, const arch::ArrayConfig& array) {
  if (plan.accumulate_level() && plan.model().name() != std::string_view("timing"))
    throw ConfigError("--fault-model " + std::string(plan.model().name()) + ": runs on INT8 arrays only; " +
                      arch::describe(array.numerics) + " takes bitflip, table and timing");
  if (plan.has_sram_faults())
    throw ConfigError("SRAM errors (--sram-voltage below the cells' safe supply) run on INT8 arrays only, not on " + arch::describe(array.numerics));
}

std::vector<arch::OutputFault> numeric_gemm_with_faults(FaultPlan& plan, const models::GemmId& id,
                                                        const arch::ArrayConfig& array,
                                                        const models::NumericGemmArgs& args,
                                                        const std::function<void()>& clean) {
  const AccumulateRule rule = plan.accumulate_rule(id);
  const arch::TimingModel* const* timing = std::get_if<const arch::TimingModel*>(&rule);
  if (plan.targets(id)) check_numeric_fault_plan(plan, array);
  clean();  // the engine's own path (the array engine's cycles), overwritten below under timing errors
  if (timing) {
    plan.log_accumulate_errors(id, args.m, args.n, args.k, timing_numeric_gemm(array, **timing, args));
    return {};
  }
  std::vector<arch::OutputFault> faults = plan.faults_for(id, args.m, args.n, args.k);
  apply_numeric_output_faults(array.numerics, models::accumulation_order(array), args, faults);
  return faults;
}

}  // namespace saffire::faults
