#include "arch/fault_site.hpp"

namespace saffire::arch {

HardwareSite map_to_hardware(const ArrayConfig& cfg, const GemmShape& shape, const GemmSite& s) {
  const std::int64_t R = cfg.rows, C = cfg.cols;
  HardwareSite h;
  h.pe_col = s.n % C;
  if (cfg.dataflow == Dataflow::WS) {
    h.pe_row = s.k % R;
    h.fold = (s.n / C) * ceil_div(shape.k, R) + s.k / R;  // column tiles outer, reduction tiles inner
    h.cycle = R + s.m + h.pe_row + h.pe_col;
  } else {
    h.pe_row = s.m % R;
    h.fold = (s.m / R) * ceil_div(shape.n, C) + s.n / C;  // row tiles outer, column tiles inner
    h.cycle = s.k + h.pe_row + h.pe_col;
  }
  return h;
}

}  // namespace saffire::arch
