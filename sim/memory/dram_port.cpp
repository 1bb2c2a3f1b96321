#include "sim/memory/dram_port.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "arch/checked_size.hpp"

namespace saffire::memory {

DramPort::DramPort(const dram::DramSpec& spec, double array_clock_ghz)
    : m_dram(spec), m_burst_bytes(static_cast<std::uint64_t>(spec.burst_bytes())) {
  const auto array_khz = static_cast<std::int64_t>(std::llround(array_clock_ghz * 1e6));
  const std::int64_t dram_khz = std::int64_t{spec.clock_mhz} * 1000;
  const std::int64_t g = std::gcd(std::max<std::int64_t>(array_khz, 1), dram_khz);
  m_array_khz = std::max<std::int64_t>(array_khz, 1) / g;
  m_dram_khz = dram_khz / g;
}

std::int64_t DramPort::to_dram(std::int64_t array_cycle) const {
  const std::int64_t x = arch::checked_mul(array_cycle, m_dram_khz, "the DRAM cycle of an array cycle");
  return x / m_array_khz + (x % m_array_khz != 0 ? 1 : 0);  // ceil, cycles are >= 0
}

std::int64_t DramPort::to_array(std::int64_t dram_cycle) const {
  return arch::checked_mul(dram_cycle, m_array_khz, "the array cycle of a DRAM cycle") / m_dram_khz;  // floor
}

DramPort::Transfer DramPort::open(std::int64_t cycle) {
  Transfer t;
  t.issued = cycle;
  return t;
}

void DramPort::add(Transfer& t, std::uint64_t lo, std::uint64_t hi, dram::Access access) {
  if (lo >= hi) return;
  const dram::Cycle arrival = to_dram(t.issued);
  for (std::uint64_t b = lo / m_burst_bytes; b * m_burst_bytes < hi; ++b) {
    const std::uint64_t id = m_dram.enqueue({b * m_burst_bytes, access, arrival});
    m_next_id = id + 1;
    if (t.requests == 0) {
      t.first_id = id;
      m_unwaited.push_back(id);
    }
    ++t.requests;
  }
  t.bytes += static_cast<std::int64_t>(hi - lo);
}

std::int64_t DramPort::wait(Transfer& t) {
  if (t.done >= 0) return t.done;
  dram::Cycle last = 0;
  for (std::uint64_t i = 0; i < t.requests; ++i) last = std::max(last, m_dram.wait_for(t.first_id + i));
  t.done = std::max(t.issued, t.requests > 0 ? to_array(last) : t.issued);
  if (t.requests > 0) {
    m_unwaited.erase(std::find(m_unwaited.begin(), m_unwaited.end(), t.first_id));
    m_dram.forget_before(m_unwaited.empty() ? m_next_id : *std::min_element(m_unwaited.begin(), m_unwaited.end()));
  }
  return t.done;
}

}  // namespace saffire::memory
