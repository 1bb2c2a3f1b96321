#include "sim/faults/sram_faults.hpp"

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <string>

#include "arch/config_error.hpp"

namespace saffire::faults {
namespace {

// A 53-bit uniform in [0, 1) from two 32-bit words.
double uniform(std::uint32_t hi, std::uint32_t lo) {
  return (static_cast<double>(hi >> 5) * 67108864.0 + static_cast<double>(lo >> 6)) / 9007199254740992.0;
}

// The failed bits of every stored word of one operand, one Philox draw per word: u < q = 1 - (1-p)^8
// makes the word faulty; then its lowest failed bit j is drawn from P(j) = (1-p)^j p / q and every
// higher bit fails independently with p (further draws of the same counter). Exact for any p.
class WordSampler {
 public:
  WordSampler(double p, std::uint64_t key) : m_p(p), m_key{{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)}} {
    m_q = p >= 1.0 ? 1.0 : -std::expm1(8.0 * std::log1p(-p));
    double c = 0;
    for (int j = 0; j < 8; ++j) {
      c += std::pow(1.0 - p, j) * p / m_q;
      m_first[static_cast<std::size_t>(j)] = c;
    }
  }
  std::uint8_t mask(SramOperand op, std::uint64_t word) const {
    const auto ctr = [&](std::uint32_t draw) {
      return r123::Philox4x32::ctr_type{
          {static_cast<std::uint32_t>(word), static_cast<std::uint32_t>(word >> 32), static_cast<std::uint32_t>(op), 0x5A4D0000u + draw}};
    };
    const r123::Philox4x32::ctr_type r = m_rng(ctr(0), m_key);
    if (!(uniform(r.v[0], r.v[1]) < m_q)) return 0;
    const double u = uniform(r.v[2], r.v[3]);
    int j = 0;
    while (j < 7 && !(u < m_first[static_cast<std::size_t>(j)])) ++j;
    std::uint8_t mask = static_cast<std::uint8_t>(1u << j);
    // Bits j+1 .. 7: two uniforms per draw.
    for (int b = j + 1; b < 8; ++b) {
      const int slot = b - j - 1;  // 0..6
      const r123::Philox4x32::ctr_type more = m_rng(ctr(1 + static_cast<std::uint32_t>(slot / 2)), m_key);
      const double ub = slot % 2 == 0 ? uniform(more.v[0], more.v[1]) : uniform(more.v[2], more.v[3]);
      if (ub < m_p) mask = static_cast<std::uint8_t>(mask | (1u << b));
    }
    return mask;
  }

 private:
  double m_p, m_q = 0;
  std::array<double, 8> m_first{};
  r123::Philox4x32::key_type m_key;
  r123::Philox4x32 m_rng;
};

}  // namespace

void SramFaultConfig::validate() const {
  if (!(bit_probability >= 0.0 && bit_probability <= 1.0))
    throw ConfigError("memory.sram bit-cell failure probability: expected a value in [0, 1], got " +
                      std::to_string(bit_probability));
}

std::vector<SramBitFault> sample_sram_faults(const SramFaultConfig& cfg, std::uint64_t residence_key, std::int64_t m,
                                             std::int64_t n, std::int64_t k) {
  cfg.validate();
  std::vector<SramBitFault> faults;
  if (cfg.bit_probability <= 0.0) return faults;
  const WordSampler sampler(cfg.bit_probability, residence_key ^ (cfg.seed * 0x9E3779B97F4A7C15ull));
  const auto scan = [&](SramOperand op, std::int64_t rows, std::int64_t cols) {
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c)
        if (const std::uint8_t mask = sampler.mask(op, static_cast<std::uint64_t>(r * cols + c)))
          faults.push_back({op, r, c, mask});
  };
  if (cfg.activations) scan(SramOperand::Ifmap, m, k);
  if (cfg.weights) scan(SramOperand::Filter, k, n);
  return faults;
}

SramCopy::SramCopy(const models::Int8GemmArgs& args, const std::vector<SramBitFault>& faults) : m_args(args) {
  if (faults.empty()) return;
  m_x.resize(static_cast<std::size_t>(args.m * args.k));
  m_w.resize(static_cast<std::size_t>(args.k * args.n));
  for (std::int64_t i = 0; i < args.m; ++i)
    for (std::int64_t j = 0; j < args.k; ++j) m_x[static_cast<std::size_t>(i * args.k + j)] = args.x[i * args.ldx + j];
  for (std::int64_t i = 0; i < args.k; ++i)
    for (std::int64_t j = 0; j < args.n; ++j) m_w[static_cast<std::size_t>(i * args.n + j)] = args.w[i * args.ldw + j];
  for (const SramBitFault& f : faults) {
    std::int8_t& word = f.operand == SramOperand::Ifmap ? m_x[static_cast<std::size_t>(f.row * args.k + f.col)]
                                                        : m_w[static_cast<std::size_t>(f.row * args.n + f.col)];
    word = static_cast<std::int8_t>(static_cast<std::uint8_t>(word) ^ f.mask);
  }
  m_args.x = m_x.data();
  m_args.ldx = args.k;
  m_args.w = m_w.data();
  m_args.ldw = args.n;
}

}  // namespace saffire::faults
