#include "sim/memory/dram/address_mapping.hpp"

#include <bit>

namespace saffire::memory::dram {
namespace {

int log2_of(std::uint64_t x) { return std::countr_zero(x); }  // x is a power of two (DramSpec::validate)

}  // namespace

AddressDecoder::AddressDecoder(const DramSpec& spec) : m_mapping(spec.mapping) {
  // burst_bytes need not be a power of two (bus widths such as 72 bits); the offset then rounds up.
  m_offset_bits = std::bit_width(static_cast<std::uint64_t>(spec.burst_bytes()) - 1);
  int shift = m_offset_bits;
  auto take = [&shift](Field& f, std::uint64_t count) {
    f.shift = shift;
    f.mask = count - 1;
    shift += log2_of(count);
  };
  if (m_mapping == AddressMapping::RoCoRaBaCh) {
    take(m_channel, spec.channels);
    take(m_bank_group, spec.bank_groups);
    take(m_bank, spec.banks_per_group);
    take(m_rank, spec.ranks);
    take(m_column, spec.bursts_per_row());
  } else {
    take(m_channel, spec.channels);
    take(m_column, spec.bursts_per_row());
    take(m_rank, spec.ranks);
    take(m_bank_group, spec.bank_groups);
    take(m_bank, spec.banks_per_group);
  }
  take(m_row, static_cast<std::uint64_t>(spec.rows));
}

DramAddress AddressDecoder::decode(std::uint64_t a) const {
  auto get = [a](const Field& f) { return (a >> f.shift) & f.mask; };
  DramAddress d;
  d.channel = static_cast<int>(get(m_channel));
  d.rank = static_cast<int>(get(m_rank));
  d.bank_group = static_cast<int>(get(m_bank_group));
  d.bank = static_cast<int>(get(m_bank));
  d.row = static_cast<std::int64_t>(get(m_row));
  d.column = static_cast<int>(get(m_column));
  return d;
}

std::uint64_t AddressDecoder::encode(const DramAddress& d) const {
  auto put = [](const Field& f, std::uint64_t v) { return (v & f.mask) << f.shift; };
  return put(m_channel, static_cast<std::uint64_t>(d.channel)) | put(m_rank, static_cast<std::uint64_t>(d.rank)) |
         put(m_bank_group, static_cast<std::uint64_t>(d.bank_group)) | put(m_bank, static_cast<std::uint64_t>(d.bank)) |
         put(m_row, static_cast<std::uint64_t>(d.row)) | put(m_column, static_cast<std::uint64_t>(d.column));
}

}  // namespace saffire::memory::dram
