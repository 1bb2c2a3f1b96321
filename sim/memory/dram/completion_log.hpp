#pragma once
// CompletionLog: the completion cycle of every request a DramSystem has taken, by id, and the channel
// that serves it. Ids are handed out 0, 1, 2, ...; a caller that waits on transfers one after another
// forgets the ids it no longer needs (forget_before), so a long run keeps only the requests in flight.
#include <cassert>
#include <cstdint>
#include <deque>

#include "sim/memory/dram/dram_request.hpp"

namespace saffire::memory::dram {

class CompletionLog {
 public:
  /// Adds the next id (pending, served by `channel`); returns it.
  std::uint64_t add(int channel) {
    m_entries.push_back({-1, channel});
    return m_base + m_entries.size() - 1;
  }
  void set(std::uint64_t id, Cycle done) {
    if (id >= m_base) m_entries[static_cast<std::size_t>(id - m_base)].done = done;
  }
  /// The completion cycle, -1 while pending (or once forgotten).
  Cycle done(std::uint64_t id) const {
    return id >= m_base && id < next_id() ? m_entries[static_cast<std::size_t>(id - m_base)].done : -1;
  }
  int channel(std::uint64_t id) const {
    assert(id >= m_base && id < next_id());
    return m_entries[static_cast<std::size_t>(id - m_base)].channel;
  }
  std::uint64_t next_id() const { return m_base + m_entries.size(); }
  /// Drops the ids below `id` (they read as -1 from then on).
  void forget_before(std::uint64_t id) {
    while (m_base < id && !m_entries.empty()) {
      m_entries.pop_front();
      ++m_base;
    }
  }

 private:
  struct Entry {
    Cycle done;
    int channel;
  };
  std::deque<Entry> m_entries;
  std::uint64_t m_base = 0;  // id of m_entries.front()
};

}  // namespace saffire::memory::dram
