// `bitflip` (ReaLM): each output word faulty with probability BER, one accumulator bit flipped.
#include <fmt/core.h>

#include "sim/faults/impl/fault_model_makers.hpp"

namespace saffire::faults {
namespace {

class BitflipModel final : public FaultModel {
 public:
  explicit BitflipModel(const BitflipConfig& cfg) : m_cfg(cfg) { m_cfg.validate(); }
  std::string_view name() const override { return "bitflip"; }
  std::vector<arch::OutputFault> output_faults(std::uint64_t gemm_key, std::int64_t m, std::int64_t n) const override {
    return sample_output_faults(m_cfg, gemm_key, m, n);
  }
  std::string to_toml() const override {
    return fmt::format("model = \"bitflip\"\nber = {:e}\nbit_lo = {}\nbit_hi = {}\n", m_cfg.ber, m_cfg.bit_lo, m_cfg.bit_hi);
  }

 private:
  BitflipConfig m_cfg;
};

}  // namespace

std::unique_ptr<FaultModel> make_bitflip_model(const BitflipConfig& cfg) { return std::make_unique<BitflipModel>(cfg); }

std::unique_ptr<FaultModel> make_bitflip_model(const FaultModelParams& p) {
  BitflipConfig cfg;
  cfg.ber = p.ber;
  cfg.bit_lo = p.bit_lo;
  cfg.bit_hi = p.bit_hi;
  cfg.seed = p.seed;
  return make_bitflip_model(cfg);
}

}  // namespace saffire::faults
