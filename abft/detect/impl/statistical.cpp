// statistical: ReaLM's statistical ABFT (background.md section 2): log2 theta_mag = b - (a - 1) log2 MSD;
// freq = #|d| > theta_mag; recover iff log2 freq > theta_freq (line_only components: iff freq >= 1).
// Hardware: classic's checksums + a statistics unit (arch/tech/README.md).
#include <cmath>
#include <cstdlib>
#include <string>

#include "abft/detect/checksum_hardware.hpp"

namespace saffire::abft {
namespace {

using arch::Component;

class StatisticalPolicy final : public DetectionPolicy {
 public:
  explicit StatisticalPolicy(const AbftConfig& cfg) : m_cfg(cfg) {}
  std::string_view name() const override { return "statistical"; }
  Decision decide(const DetectionInput& in) const override;
  std::vector<arch::CostItem> hardware_items(const HardwareContext& ctx) const override;
  std::int64_t extra_cycles_per_fold(const arch::ArrayConfig& array, const HardwareOptions& opt) const override {
    return checksum_extra_cycles(array, opt.two_sided);
  }

 private:
  AbftConfig m_cfg;
};

Decision StatisticalPolicy::decide(const DetectionInput& in) const {
  const StatisticalConstants& k = m_cfg.constants_for(in.component);
  Decision d;
  d.msd = matrix_sum_deviation(in.row_deviations);
  if (d.msd == 0) return d;  // no deviation, or deviations that cancel: nothing the rule can see
  d.theta_mag = std::exp2(k.b - (k.a - 1.0) * std::log2(d.msd));
  for (std::int32_t v : in.row_deviations) d.freq += std::abs(static_cast<double>(v)) > d.theta_mag;
  const bool recover = k.line_only ? d.freq >= 1 : (d.freq > 0 && std::log2(static_cast<double>(d.freq)) > k.theta_freq);
  if (recover) d.action = Action::Recompute;
  return d;
}

std::vector<arch::CostItem> StatisticalPolicy::hardware_items(const HardwareContext& ctx) const {
  const double R = ctx.array.rows, C = ctx.array.cols, P = static_cast<double>(ctx.fold.cycles_per_fold);
  const bool columns = ctx.options.two_sided;
  arch::BillOfMaterials b;
  const double d = add_checksums(b, ctx, columns);  // deviations per fold
  add_msd(b, d, P);
  const std::string blk = "statistics unit";
  b.add(blk, "leading-one detector (log2 MSD, comparator-sized)", Component::Cmp32, 1, 1.0 / P);
  // log2 theta_mag = b - (a - 1) log2 MSD in 16-bit fixed point: a 16x16 multiplier (4 INT8
  // partial-product arrays) and a 16-bit adder, once per fold; theta_mag = 2^x by a decoder
  // (comparator-sized).
  b.add(blk, "16x16 multiplier ((a-1) log2 MSD)", Component::Mult8, 1, 1.0 / P, 4.0);
  b.add(blk, "INT16 adder (b - ...)", Component::Add16, 1, 1.0 / P);
  b.add(blk, "2^x decoder (comparator-sized)", Component::Cmp32, 1, 1.0 / P);
  b.regs(blk, "constants a-1, b, theta_freq and theta_mag (4 x 16b)", 1, 64);
  if (ctx.array.dataflow == arch::Dataflow::OS) {
    // R deviations, all present at the end of the fold (held in the output-sum accumulators): one
    // magnitude comparator each against theta_mag, a popcount of the R results (~R full adders
    // = R/16 INT16 adders), the frequency register.
    b.add(blk, "per-deviation comparators (|dev| > theta_mag)", Component::Cmp32, R, 1.0 / P);
    b.add(blk, "popcount of the comparator outputs (R/16 INT16 adders)", Component::Add16, R / 16.0, 1.0 / P);
    if (columns) {
      // The C column deviations come one per drain cycle: one more comparator and a counter.
      b.add(blk, "column-deviation comparator (|dev| > theta_mag)", Component::Cmp32, 1, C / P);
      b.add(blk, "column-deviation counter (INT16 adder)", Component::Add16, 1, C / P);
    }
  } else {
    // (With column checksums the C column deviations, at the end of the fold, go through the
    // same detector and bins: d / P detections per cycle instead of S / P.)
    // S deviations, one per cycle, before theta_mag is known: each is binned by its leading-one
    // position (one detector at the output) into 32 16-bit counters; at the end of the fold freq =
    // the sum of the bins at or above log2 theta_mag (one INT16 adder, 32 adds).
    b.add(blk, "leading-one detector per deviation (comparator-sized)", Component::Cmp32, 1, d / P);
    b.add(blk, "bin incrementer (INT16 adder)", Component::Add16, 1, d / P);
    b.regs(blk, "32 magnitude-bin counters (16b)", 32, 16);
    b.add(blk, "bin summing adder (INT16)", Component::Add16, 1, 32.0 / P);
  }
  b.regs(blk, "frequency register (16b)", 1, 16);
  b.add(blk, "leading-one detector (log2 freq, comparator-sized)", Component::Cmp32, 1, 1.0 / P);
  b.add(blk, "comparator (log2 freq vs theta_freq)", Component::Cmp32, 1, 1.0 / P);
  return b.items;
}

}  // namespace

std::unique_ptr<DetectionPolicy> make_statistical_policy(const AbftConfig& cfg) {
  return std::make_unique<StatisticalPolicy>(cfg);
}

}  // namespace saffire::abft
