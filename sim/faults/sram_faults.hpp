#pragma once
// SRAM errors under voltage underscaling: bit cells of the ifmap (X) and filter (W) scratchpads that fail
// at the scratchpads' supply ([memory] sram_voltage, through arch/tech/sram_bitcell's failure curve). A
// failed cell returns the inverse of its stored bit, so the INT8 word the array reads has those bits
// XOR-flipped, and it stays wrong for the word's residence: every use of that weight (all M rows of X)
// or activation (every column tile) in the GEMM sees the same wrong value.
//
// Residence: one execution of a GEMM (its operands are written into the scratchpads once and read from
// there, the ideal memory's order); a recomputation (GemmId::attempt) refetches its operands and has a
// residence of its own. Sampling is counter-based per site: stored word (operand, row, column) of the
// residence keyed by (seed, residence key) decides its faulty bits, independent of execution order,
// threads and engine, so cpu, cuda and both SystemC fidelities read identical copies.
#include <cstdint>
#include <vector>

#include "models/gemm/int8_gemm.hpp"

namespace saffire::faults {

struct SramFaultConfig {
  double bit_probability = 0;  // per stored bit cell, [0, 1] (SramFailureCurve::probability(sram_voltage))
  std::uint64_t seed = 1;
  bool activations = true;     // the ifmap scratchpad (X)
  bool weights = true;         // the filter scratchpad (W)
  /// Throws ConfigError naming the field.
  void validate() const;
};

enum class SramOperand : std::uint8_t { Ifmap = 0, Filter = 1 };

/// One faulty stored word: X[row][col] (ifmap, row < M, col < K) or W[row][col] (filter, row < K, col < N),
/// its failed bits in `mask`.
struct SramBitFault {
  SramOperand operand = SramOperand::Ifmap;
  std::int64_t row = 0, col = 0;
  std::uint8_t mask = 0;
  bool operator==(const SramBitFault&) const = default;
};

/// The faulty words of one residence of an (m x n x k) GEMM: X's in row-major order, then W's.
std::vector<SramBitFault> sample_sram_faults(const SramFaultConfig& cfg, std::uint64_t residence_key, std::int64_t m,
                                             std::int64_t n, std::int64_t k);

/// The operands as the array reads them from the scratchpads: compact copies of X and W with `faults`
/// applied; args() points at them (y and accumulate as given). Without faults args() is `args` itself.
class SramCopy {
 public:
  SramCopy(const models::Int8GemmArgs& args, const std::vector<SramBitFault>& faults);
  SramCopy(const SramCopy&) = delete;
  SramCopy& operator=(const SramCopy&) = delete;
  const models::Int8GemmArgs& args() const { return m_args; }

 private:
  std::vector<std::int8_t> m_x, m_w;
  models::Int8GemmArgs m_args;
};

}  // namespace saffire::faults
