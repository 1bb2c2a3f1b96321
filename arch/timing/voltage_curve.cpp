#include "arch/timing/voltage_curve.hpp"

#include <omp.h>

#include <array>
#include <sstream>
#include <string>

#include "arch/config_error.hpp"
#include "arch/timing/carry_chain.hpp"
#include "arch/timing/dot_product_steps.hpp"

namespace saffire::arch {

std::vector<VoltageCurvePoint> measure_voltage_curve(const VoltageCurveSpec& spec) {
  std::vector<TimingModel> models;
  models.reserve(spec.voltages.size());
  for (const double v : spec.voltages) {
    VoltageConfig cfg = spec.base;
    cfg.v = v;
    try {
      models.emplace_back(cfg, spec.rows, spec.cols);
    } catch (const ConfigError& e) {
      std::ostringstream msg;
      msg << "at V = " << v << ": " << e.what();  // %g-like: 0.62, not 0.620000
      throw ConfigError(msg.str());
    }
  }
  const std::size_t nv = spec.voltages.size();
  const std::int64_t pes = static_cast<std::int64_t>(spec.rows) * spec.cols;
  const auto k_steps = static_cast<std::size_t>(kVoltageCurveReduction);
  std::vector<VoltageCurvePoint> points(nv);

  // Every (PE, dot product) is one task: its K steps are generated once and checked at every voltage.
#pragma omp parallel num_threads(spec.threads > 0 ? spec.threads : omp_get_max_threads())
  {
    std::vector<std::uint32_t> acc(k_steps);
    std::vector<std::int32_t> addend(k_steps);
    std::vector<VoltageCurvePoint> local(nv);
#pragma omp for schedule(dynamic, 4)
    for (std::int64_t task = 0; task < pes * spec.samples; ++task) {
      const int pe = static_cast<int>(task / spec.samples), sample = static_cast<int>(task % spec.samples);
      const int r = pe / spec.cols, c = pe % spec.cols;
      random_dot_product_steps(spec.seed, static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(c),
                               static_cast<std::uint32_t>(sample), acc, addend);
      // Chain-length histogram (voltage independent): how many accumulates have *some* late carry.
      std::array<std::int64_t, 33> lengths{};
      for (std::size_t i = 0; i < k_steps; ++i)
        ++lengths[static_cast<std::size_t>(longest_carry_chain<32>(acc[i], static_cast<std::uint32_t>(addend[i])).length)];
      for (std::size_t k = 0; k < nv; ++k) {
        local[k].errors += models[k].count_errors(r, c, acc, addend, &local[k].hist);
        for (int len = models[k].max_safe_chain(r, c) + 1; len <= 32; ++len)
          local[k].late += lengths[static_cast<std::size_t>(len)];
      }
    }
#pragma omp critical
    for (std::size_t k = 0; k < nv; ++k) {
      points[k].errors += local[k].errors;
      points[k].late += local[k].late;
      for (std::size_t b = 0; b < 32; ++b) points[k].hist[b] += local[k].hist[b];
    }
  }
  for (std::size_t k = 0; k < nv; ++k) {
    points[k].v = spec.voltages[k];
    points[k].delay_scale = models[k].delay_scale();
    points[k].min_safe = models[k].min_safe_chain();
    points[k].max_safe = models[k].max_safe_chain();
    points[k].checked = pes * spec.samples * kVoltageCurveReduction;
  }
  return points;
}

}  // namespace saffire::arch
