#include "arch/fold_plan.hpp"

#include <algorithm>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::arch {

void GemmShape::validate() const {
  auto check = [](std::int64_t v, const char* name) {
    if (v < 1) throw ConfigError(std::string(name) + ": expected a positive integer, got " + std::to_string(v));
  };
  check(m, "M");
  check(n, "N");
  check(k, "K");
}

FoldPlan::FoldPlan(const ArrayConfig& cfg, const GemmShape& shape) : m_cfg(cfg), m_shape(shape) {
  if (cfg.dataflow == Dataflow::WS) {
    m_outer = ceil_div(shape.n, cfg.cols);
    m_inner = ceil_div(shape.k, cfg.rows);
  } else {
    m_outer = ceil_div(shape.m, cfg.rows);
    m_inner = ceil_div(shape.n, cfg.cols);
  }
  m_count = checked_mul(m_outer, m_inner, "folds of the GEMM");
  const std::int64_t R = cfg.rows, C = cfg.cols;
  // WS 2R + C + M - 2; OS R + C + K - 2 (+R with os_drain): R and C are at most 4096, M and K any int64.
  const std::int64_t fixed = cfg.dataflow == Dataflow::WS ? 2 * R + C - 2 : R + C - 2 + (cfg.os_drain ? R : 0);
  m_cycles_per_fold = checked_add(fixed, cfg.dataflow == Dataflow::WS ? shape.m : shape.k, "cycles per fold");
}

Fold FoldPlan::fold(std::int64_t index) const {
  const std::int64_t outer = index / m_inner, inner = index % m_inner;
  const std::int64_t R = m_cfg.rows, C = m_cfg.cols;
  Fold f;
  f.index = index;
  if (m_cfg.dataflow == Dataflow::WS) {
    f.col0 = outer * C;
    f.row0 = inner * R;
    f.rows_used = std::min(R, m_shape.k - f.row0);
    f.cols_used = std::min(C, m_shape.n - f.col0);
    f.stream = m_shape.m;
  } else {
    f.row0 = outer * R;
    f.col0 = inner * C;
    f.rows_used = std::min(R, m_shape.m - f.row0);
    f.cols_used = std::min(C, m_shape.n - f.col0);
    f.stream = m_shape.k;
  }
  return f;
}

void finish_report(const ArrayConfig& cfg, const GemmShape& shape, CycleReport& report) {
  const double pes = static_cast<double>(cfg.rows) * cfg.cols;
  report.utilization = report.cycles > 0 ? static_cast<double>(report.macs) / (static_cast<double>(report.cycles) * pes) : 0;
  // Mapping efficiency in closed form: folds are the product of independent row and column tilings,
  // so the mean occupied fraction is (mean rows used / R) * (mean cols used / C).
  const std::int64_t row_dim = cfg.dataflow == Dataflow::WS ? shape.k : shape.m;
  const double row_frac = static_cast<double>(row_dim) / (static_cast<double>(ceil_div(row_dim, cfg.rows)) * cfg.rows);
  const double col_frac = static_cast<double>(shape.n) / (static_cast<double>(ceil_div(shape.n, cfg.cols)) * cfg.cols);
  report.mapping_efficiency = row_frac * col_frac;
}

CycleReport analytical_cycles(const ArrayConfig& cfg, const GemmShape& shape) {
  shape.validate();
  FoldPlan plan(cfg, shape);
  CycleReport r;
  r.folds = plan.count();
  r.cycles_per_fold = plan.cycles_per_fold();
  r.cycles = checked_mul(r.folds, r.cycles_per_fold, "cycles of the GEMM (folds x cycles per fold)") - 1;
  r.macs = shape.macs();
  finish_report(cfg, shape, r);
  return r;
}

}  // namespace saffire::arch
