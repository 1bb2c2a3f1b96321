#include "sim/faults/output_fault_apply.hpp"

namespace saffire::faults {

namespace {

// WS: the partial sum of the last reduction tile [k0, K), the value that passes the faulty adder.
std::uint32_t last_tile_partial(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& a, const arch::OutputFault& f) {
  const std::int64_t k0 = ((a.k - 1) / cfg.rows) * cfg.rows;
  std::uint32_t partial = 0;
  for (std::int64_t k = k0; k < a.k; ++k)
    partial += static_cast<std::uint32_t>(static_cast<std::int32_t>(a.x[f.m * a.ldx + k]) * a.w[k * a.ldw + f.n]);
  return partial;
}

}  // namespace

void apply_output_fault(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& a, const arch::OutputFault& f) {
  std::int32_t& y = a.y[f.m * a.ldy + f.n];
  const std::uint32_t mask = 1u << f.bit;
  if (cfg.dataflow == arch::Dataflow::OS) {
    y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) ^ mask);
    return;
  }
  const std::uint32_t partial = last_tile_partial(cfg, a, f);
  y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) - partial + (partial ^ mask));
}

void revert_output_fault(const arch::ArrayConfig& cfg, const models::Int8GemmArgs& a, const arch::OutputFault& f) {
  std::int32_t& y = a.y[f.m * a.ldy + f.n];
  const std::uint32_t mask = 1u << f.bit;
  if (cfg.dataflow == arch::Dataflow::OS) {
    y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) ^ mask);
    return;
  }
  const std::uint32_t partial = last_tile_partial(cfg, a, f);
  y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) - (partial ^ mask) + partial);
}

}  // namespace saffire::faults
