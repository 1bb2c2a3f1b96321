#include "arch/tech/sram_energy.hpp"

#include <array>
#include <cmath>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::arch {
namespace {

struct CurvePoint {
  double kb;
  double pj;  // 64-bit access, 45 nm, 0.9 V (Horowitz, ISSCC 2014, "Computing's energy problem")
};
constexpr std::array<CurvePoint, 3> kHorowitz = {{{8.0, 10.0}, {32.0, 20.0}, {1024.0, 100.0}}};

}  // namespace

double sram_size_factor(double kb) {
  if (!(kb > 0) || !std::isfinite(kb))
    throw ConfigError("SRAM size must be a positive finite number of KB, got " + std::to_string(kb));
  // The segment holding kb (the first one below 8 KB, the last one above 1 MB).
  const std::size_t seg = kb <= kHorowitz[1].kb ? 0 : 1;
  const CurvePoint a = kHorowitz[seg], b = kHorowitz[seg + 1];
  const double slope = std::log(b.pj / a.pj) / std::log(b.kb / a.kb);
  const double pj = a.pj * std::pow(kb / a.kb, slope);
  return pj / kHorowitz[0].pj;
}

double sram_access_pj(const TechTable& tech, double kb) { return tech.sram_energy_pj_per_access * sram_size_factor(kb); }

double sram_word_pj(const TechTable& tech, double kb, int word_bytes) {
  if (word_bytes < 1) throw ConfigError("SRAM word size must be at least 1 byte, got " + std::to_string(word_bytes));
  return sram_access_pj(tech, kb) * static_cast<double>(word_bytes) / 8.0;
}

}  // namespace saffire::arch
