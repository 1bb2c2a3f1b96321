#pragma once
// Helpers of the DRAM model tests: a request at given coordinates, and the burst length in cycles
// worked out from the spec's own fields (burst_length beats at data_rate / clock beats per cycle).
#include <cstdint>

#include "sim/memory/dram/dram_system.hpp"

namespace saffire::test {

inline memory::dram::DramRequest request_at(const memory::dram::DramSystem& dram, int bank_group, int bank,
                                            std::int64_t row, memory::dram::Cycle arrival,
                                            memory::dram::Access access = memory::dram::Access::Read,
                                            int channel = 0, int column = 0) {
  memory::dram::DramAddress a;
  a.channel = channel;
  a.bank_group = bank_group;
  a.bank = bank;
  a.row = row;
  a.column = column;
  return {dram.decoder().encode(a), access, arrival};
}

inline int burst_cycles_of(const memory::dram::DramSpec& s) {
  return s.burst_length * s.clock_mhz / s.data_rate_mts;
}

inline memory::dram::DramOptions no_refresh() {
  memory::dram::DramOptions o;
  o.refresh = false;
  return o;
}

}  // namespace saffire::test
