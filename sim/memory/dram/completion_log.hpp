#pragma once
// CompletionLog: the completion cycle of every request a DramSystem has taken, by id, and the channel
// that serves it. Ids are handed out 0, 1, 2, ...; a caller that waits on transfers one after another
// forgets the ids it no longer needs (forget_before), so a long run keeps only the requests in flight.
// The ids kept sit in a ring (a power-of-two vector indexed by id), so a long run reuses the same few
// cache lines instead of allocating and freeing blocks as ids come and go.
#include <cassert>
#include <cstdint>
#include <vector>

#include "sim/memory/dram/dram_request.hpp"

namespace saffire::memory::dram {

class CompletionLog {
 public:
  /// Adds the next id (pending, served by `channel`); returns it.
  std::uint64_t add(int channel) {
    if (m_next - m_base == m_ring.size()) grow();
    m_ring[m_next & m_mask] = {-1, channel};
    return m_next++;
  }
  void set(std::uint64_t id, Cycle done) {
    if (id >= m_base) m_ring[id & m_mask].done = done;
  }
  /// The completion cycle, -1 while pending (or once forgotten).
  Cycle done(std::uint64_t id) const { return id >= m_base && id < m_next ? m_ring[id & m_mask].done : -1; }
  int channel(std::uint64_t id) const {
    assert(id >= m_base && id < m_next);
    return m_ring[id & m_mask].channel;
  }
  std::uint64_t next_id() const { return m_next; }
  /// Drops the ids below `id` (they read as -1 from then on).
  void forget_before(std::uint64_t id) { m_base = id < m_next ? (id > m_base ? id : m_base) : m_next; }

 private:
  struct Entry {
    Cycle done;
    int channel;
  };
  void grow() {  // doubles the ring, keeping every id at its place id & mask
    std::vector<Entry> bigger(m_ring.empty() ? 64 : 2 * m_ring.size());
    const std::uint64_t mask = bigger.size() - 1;
    for (std::uint64_t id = m_base; id < m_next; ++id) bigger[id & mask] = m_ring[id & m_mask];
    m_ring.swap(bigger);
    m_mask = mask;
  }
  std::vector<Entry> m_ring;
  std::uint64_t m_mask = 0;
  std::uint64_t m_base = 0;  // the oldest id kept
  std::uint64_t m_next = 0;  // the id add() hands out next
};

}  // namespace saffire::memory::dram
