#include "sim/faults/numeric_fault_deviation.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace saffire::faults {

FloatField field_of(arch::NumberFormat f, int bit) {
  const arch::FormatInfo& in = arch::info(f);
  if (bit == in.bits - 1) return FloatField::Sign;
  return bit >= in.precision - 1 ? FloatField::Exponent : FloatField::Mantissa;
}

std::string_view to_string(FloatField field) {
  switch (field) {
    case FloatField::Sign:
      return "sign";
    case FloatField::Exponent:
      return "exponent";
    case FloatField::Mantissa:
      return "mantissa";
  }
  return "?";
}

std::vector<BitDeviation> deviation_by_bit(arch::NumberFormat accumulator, const models::NumericGemmArgs& a,
                                           const double* clean, const double* faulty,
                                           const std::vector<arch::OutputFault>& faults) {
  std::map<int, std::vector<double>> finite;
  std::map<int, BitDeviation> rows;
  for (const arch::OutputFault& f : faults) {
    BitDeviation& r = rows[f.bit];
    r.bit = f.bit;
    r.field = field_of(accumulator, f.bit);
    ++r.faults;
    const double c = clean[f.m * a.ldy + f.n], y = faulty[f.m * a.ldy + f.n];
    if (!models::same_value(c, y)) ++r.changed;
    if (std::isfinite(c) && !std::isfinite(y)) {
      ++r.nonfinite;
      continue;
    }
    double scale = 0;
    for (std::int64_t k = 0; k < a.k; ++k) scale += std::fabs(a.x[f.m * a.ldx + k] * a.w[k * a.ldw + f.n]);
    const double dev = std::fabs(y - c);
    if (std::isfinite(dev)) finite[f.bit].push_back(scale > 0 ? dev / scale : dev);
  }
  std::vector<BitDeviation> out;
  for (auto& [bit, r] : rows) {
    std::vector<double>& d = finite[bit];
    if (!d.empty()) {
      std::sort(d.begin(), d.end());
      r.max_relative = d.back();
      r.median_relative = d[d.size() / 2];
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace saffire::faults
