#include "sim/memory/dram/dram_system.hpp"

#include <algorithm>
#include <cassert>

namespace saffire::memory::dram {
namespace {

const DramSpec& validated(const DramSpec& spec) {
  spec.validate();
  return spec;
}

}  // namespace

DramSystem::DramSystem(const DramSpec& spec, const DramOptions& options)
    : m_spec(validated(spec)), m_options(options), m_decoder(m_spec) {
  m_channels.reserve(static_cast<std::size_t>(m_spec.channels));
  for (int c = 0; c < m_spec.channels; ++c)
    m_channels.emplace_back(m_spec, m_options.refresh, m_options.record_completions ? &m_completions : nullptr);
}

std::uint64_t DramSystem::enqueue(const DramRequest& request) {
  const DramAddress a = m_decoder.decode(request.address);
  ChannelController& channel = m_channels[static_cast<std::size_t>(a.channel)];
  Cycle entry = std::max(request.arrival, m_last_entry);
  if (channel.full()) entry = std::max(entry, channel.run_until_slot_frees());
  m_last_entry = entry;
  const std::uint64_t id = m_next_id++;
  if (m_options.record_completions) m_completions.add(a.channel);
  channel.admit(id, request.arrival, entry, request.access, a.rank, a.bank_group, a.bank, a.row);
  return id;
}

void DramSystem::drain() {
  for (ChannelController& c : m_channels) c.drain();
}

Cycle DramSystem::completion(std::uint64_t id) const { return m_completions.done(id); }

Cycle DramSystem::wait_for(std::uint64_t id) {
  assert(m_options.record_completions && id < m_next_id);
  Cycle done = m_completions.done(id);
  if (done >= 0) return done;
  ChannelController& channel = m_channels[static_cast<std::size_t>(m_completions.channel(id))];
  while ((done = m_completions.done(id)) < 0) {
    // Each call issues up to and including one RD/WR: the last command issued on this channel.
    m_last_entry = std::max(m_last_entry, channel.run_until_slot_frees());
  }
  return done;
}

DramStats DramSystem::stats() const {
  DramStats total;
  for (const ChannelController& c : m_channels) total.merge(c.stats());
  return total;
}

DramStats serve_requests(const DramSpec& spec, std::span<const DramRequest> requests, bool refresh) {
  DramOptions options;
  options.refresh = refresh;
  options.record_completions = false;
  DramSystem dram(spec, options);
  for (const DramRequest& r : requests) dram.enqueue(r);
  dram.drain();
  return dram.stats();
}

}  // namespace saffire::memory::dram
