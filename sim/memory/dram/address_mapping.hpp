#pragma once
// AddressDecoder: splits a byte address into the coordinates of the burst it falls in, by slicing bit
// fields (every count of a DramSpec is a power of two). Low to high bits, after the offset within one burst:
//   RoCoRaBaCh: channel | bank group | bank | rank | column | row   (bank-interleaved: consecutive bursts
//               rotate over channels, then bank groups and banks, so a stream keeps every bank busy
//               and consecutive bursts of a channel are in different bank groups: tCCD_S apart)
//   RoBaRaCoCh: channel | column | rank | bank group | bank | row   (a row's bursts are adjacent in the
//               address space: a stream stays in one bank, tCCD_L apart, until the row is used up)
// Address bits above the capacity wrap (the row is taken modulo rows).
#include <cstdint>

#include "sim/memory/dram/dram_spec.hpp"

namespace saffire::memory::dram {

struct DramAddress {
  int channel = 0;
  int rank = 0;
  int bank_group = 0;
  int bank = 0;  // within its bank group
  std::int64_t row = 0;
  int column = 0;  // burst index within the row (0 .. bursts_per_row - 1)
};

class AddressDecoder {
 public:
  explicit AddressDecoder(const DramSpec& spec);
  DramAddress decode(std::uint64_t byte_address) const;
  /// The lowest byte address of the burst at `a` (inverse of decode for in-range coordinates).
  std::uint64_t encode(const DramAddress& a) const;

 private:
  struct Field {
    int shift = 0;
    std::uint64_t mask = 0;
  };
  AddressMapping m_mapping;
  int m_offset_bits = 0;  // log2(burst bytes)
  Field m_channel, m_rank, m_bank_group, m_bank, m_row, m_column;
};

}  // namespace saffire::memory::dram
