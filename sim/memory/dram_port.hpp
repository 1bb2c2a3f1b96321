#pragma once
// DramPort: the scratchpads' side of the DRAM timing model (dram/) for one GEMM. A transfer is a set of
// byte ranges moved at one array cycle; it becomes one burst request per burst-aligned block it touches,
// served by a DramSystem. Times cross between two clocks: the array's ([arch] clock_ghz) and the DRAM's
// command clock (DramSpec::clock_mhz):
//   a request made at array cycle a arrives at DRAM cycle ceil(a * f_dram / f_array);
//   data whose last beat ends at DRAM cycle d is usable in array cycle floor(d * f_array / f_dram), the
//   array cycle it ends in (so an infinitely fast DRAM costs no array cycle at all).
// Both ratios are exact (integer kHz, reduced by their gcd).
#include <cstdint>
#include <vector>

#include "sim/memory/dram/dram_request.hpp"
#include "sim/memory/dram/dram_spec.hpp"
#include "sim/memory/dram/dram_system.hpp"

namespace saffire::memory {

class DramPort {
 public:
  /// Throws ConfigError when the spec is inconsistent (naming its key).
  DramPort(const dram::DramSpec& spec, double array_clock_ghz);

  struct Transfer {
    std::uint64_t first_id = 0;   // DramSystem ids first_id .. first_id + requests - 1
    std::uint64_t requests = 0;
    std::int64_t issued = 0;      // array cycle
    std::int64_t done = -1;       // array cycle its data is complete, -1 until waited for
    std::int64_t bytes = 0;       // payload bytes asked for (the bursts may move more)
  };

  /// Opens a transfer at array cycle `cycle`; add its ranges, then close() it.
  Transfer open(std::int64_t cycle);
  /// Adds bytes [lo, hi) to the open transfer `t` (its requests are queued now, in address order). The
  /// ranges of one transfer are added together, before any other transfer's.
  void add(Transfer& t, std::uint64_t lo, std::uint64_t hi, dram::Access access);
  /// The array cycle `t`'s data is complete (at least its issue cycle); serves the DRAM as far as needed.
  /// Every opened transfer must be waited for once (the port forgets completions it no longer needs).
  std::int64_t wait(Transfer& t);

  dram::DramStats stats() const { return m_dram.stats(); }
  const dram::DramSpec& spec() const { return m_dram.spec(); }
  std::int64_t to_dram(std::int64_t array_cycle) const;
  std::int64_t to_array(std::int64_t dram_cycle) const;

 private:
  dram::DramSystem m_dram;
  std::int64_t m_array_khz = 1, m_dram_khz = 1;  // reduced by their gcd
  std::uint64_t m_burst_bytes = 64;
  std::vector<std::uint64_t> m_unwaited;  // first ids of the transfers not yet waited for
  std::uint64_t m_next_id = 0;            // the id the next request gets
};

}  // namespace saffire::memory
