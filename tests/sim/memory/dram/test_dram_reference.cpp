// DRAM timing model against a naive reference scheduler written here from the rules in
// sim/memory/dram/README.md: no cached offers, no packed keys, no vector scan, no skipped refresh rounds.
// At every command slot the reference looks at every queued request, works out each bank's command
// (its oldest row hit's RD/WR, else its oldest request's PRE or ACT) and the first cycle every timing
// rule allows it, and issues the soonest (row hits first, then the oldest on a tie). Every request's
// completion cycle and the row outcome counts must match the model's exactly, for every preset, on
// random, streaming, mixed read/write, spread-out streams, a bank ping-pong, ACT-bound (tFAW) streams,
// callers that wait on requests one at a time (the scratchpads' use) and idle gaps too long for the scan's
// packed wait, with refresh on and off.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "sim/memory/dram/dram_presets.hpp"
#include "sim/memory/dram/dram_system.hpp"

using namespace saffire::memory::dram;

namespace {

constexpr Cycle kLongAgo = -(Cycle{1} << 40);

// One channel of the reference: the plain state the timing rules talk about.
class ReferenceChannel {
 public:
  ReferenceChannel(const DramSpec& spec, bool refresh, std::vector<Cycle>* done)
      : m_spec(spec), m_refresh(refresh), m_done(done) {
    const int banks = spec.banks_per_rank();
    m_banks.resize(static_cast<std::size_t>(spec.ranks * banks));
    m_groups.resize(static_cast<std::size_t>(spec.ranks * spec.bank_groups));
    m_ranks.resize(static_cast<std::size_t>(spec.ranks));
    m_period = spec.refresh == RefreshMode::PerBank ? spec.timing.trefi / banks : spec.timing.trefi;
    for (int r = 0; r < spec.ranks; ++r)
      m_ranks[static_cast<std::size_t>(r)].next_refresh = m_period + static_cast<Cycle>(r) * m_period / spec.ranks;
  }

  bool full() const { return static_cast<int>(m_queue.size()) == m_spec.queue_depth; }
  bool empty() const { return m_queue.empty(); }
  void admit(std::uint64_t id, Cycle visible, Access access, const DramAddress& a) {
    const int bank = (a.rank * m_spec.bank_groups + a.bank_group) * m_spec.banks_per_group + a.bank;
    m_queue.push_back({id, visible, a.row, bank, access, false, false});
  }
  // Issues commands until one RD/WR has been issued; returns its cycle.
  Cycle run_until_slot_frees() {
    for (;;) {
      const Cycle c = issue_one();
      if (c >= 0) return c;
    }
  }
  void drain() {
    while (!m_queue.empty()) issue_one();
  }
  std::uint64_t hits = 0, misses = 0, conflicts = 0;

 private:
  enum class Kind { Act, Pre, Rd, Wr };
  struct Request {
    std::uint64_t id;
    Cycle visible;
    std::int64_t row;
    int bank;
    Access access;
    bool needed_pre, needed_act;
  };
  struct Bank {
    std::int64_t open_row = -1;
    Cycle next_act = 0, next_pre = 0, next_cas = 0;
  };
  struct Group {
    Cycle next_act = 0, next_rd = 0, next_wr = 0;
  };
  struct Rank {
    Cycle next_act = 0, next_rd = 0, next_wr = 0;
    std::deque<Cycle> acts;  // every ACT of the rank, oldest first
    Cycle next_refresh = 0;
    int refresh_bank = 0;
  };

  int rank_of(int bank) const { return bank / m_spec.banks_per_rank(); }
  int group_of(int bank) const { return bank / m_spec.banks_per_group; }

  // The first cycle every rule allows command `k` of `q` on its bank.
  Cycle legal_at(Kind k, const Request& q) const {
    const DramTiming& t = m_spec.timing;
    const Bank& b = m_banks[static_cast<std::size_t>(q.bank)];
    const Group& g = m_groups[static_cast<std::size_t>(group_of(q.bank))];
    const Rank& r = m_ranks[static_cast<std::size_t>(rank_of(q.bank))];
    const Cycle data = m_bus_free + (m_bus_rank >= 0 && m_bus_rank != rank_of(q.bank) ? t.trtrs : 0);
    Cycle at = std::max(q.visible, m_next_command);
    switch (k) {
      case Kind::Act: {
        const Cycle faw = r.acts.size() >= 4 ? r.acts[r.acts.size() - 4] + t.tfaw : kLongAgo;
        return std::max({at, b.next_act, g.next_act, r.next_act, faw});
      }
      case Kind::Pre:
        return std::max(at, b.next_pre);
      case Kind::Rd:
        return std::max({at, b.next_cas, g.next_rd, r.next_rd, data - t.tcl});
      case Kind::Wr:
        return std::max({at, b.next_cas, g.next_wr, r.next_wr, data - t.tcwl});
    }
    return at;
  }

  void refresh_due(int rank, Cycle now) {
    const DramTiming& t = m_spec.timing;
    Rank& r = m_ranks[static_cast<std::size_t>(rank)];
    const int banks = m_spec.banks_per_rank();
    auto ready = [&](const Bank& b) { return b.open_row >= 0 ? b.next_pre + t.trp : b.next_act; };
    while (r.next_refresh <= now) {  // every REF of the gap, one by one
      if (m_spec.refresh == RefreshMode::PerBank) {
        Bank& b = m_banks[static_cast<std::size_t>(rank * banks + r.refresh_bank)];
        const Cycle ref = std::max(r.next_refresh, ready(b));
        b.open_row = -1;
        b.next_act = ref + t.trfcpb;
        r.refresh_bank = (r.refresh_bank + 1) % banks;
      } else {
        Cycle ref = r.next_refresh;
        for (int j = 0; j < banks; ++j) ref = std::max(ref, ready(m_banks[static_cast<std::size_t>(rank * banks + j)]));
        for (int j = 0; j < banks; ++j) {
          m_banks[static_cast<std::size_t>(rank * banks + j)].open_row = -1;
          m_banks[static_cast<std::size_t>(rank * banks + j)].next_act = ref + t.trfc;
        }
      }
      r.next_refresh += m_period;
    }
  }

  // One command (or a round of due refreshes, then one command); returns the RD/WR cycle or -1.
  Cycle issue_one() {
    const DramTiming& t = m_spec.timing;
    const int burst = m_spec.burst_cycles();
    for (;;) {
      std::size_t best = m_queue.size();
      Kind best_kind = Kind::Act;
      Cycle best_at = std::numeric_limits<Cycle>::max();
      bool best_hit = false;
      for (std::size_t i = 0; i < m_queue.size(); ++i) {
        const Request& q = m_queue[i];
        const Bank& b = m_banks[static_cast<std::size_t>(q.bank)];
        // The bank's command: its oldest row hit, else its oldest request (the queue is in age order).
        std::size_t chosen = m_queue.size();
        for (std::size_t j = 0; j < m_queue.size() && chosen == m_queue.size(); ++j)
          if (m_queue[j].bank == q.bank && b.open_row >= 0 && m_queue[j].row == b.open_row) chosen = j;
        for (std::size_t j = 0; j < m_queue.size() && chosen == m_queue.size(); ++j)
          if (m_queue[j].bank == q.bank) chosen = j;
        if (chosen != i) continue;  // only one command per bank
        const bool hit = b.open_row >= 0 && q.row == b.open_row;
        const Kind k = hit ? (q.access == Access::Read ? Kind::Rd : Kind::Wr) : b.open_row >= 0 ? Kind::Pre : Kind::Act;
        const Cycle at = legal_at(k, q);
        // Soonest first; on a tie row hits first, then the oldest (the lower index).
        if (at < best_at || (at == best_at && hit && !best_hit)) {
          best = i;
          best_kind = k;
          best_at = at;
          best_hit = hit;
        }
      }
      Request& q = m_queue[best];
      const int rank = rank_of(q.bank);
      if (m_refresh && m_ranks[static_cast<std::size_t>(rank)].next_refresh <= best_at) {
        refresh_due(rank, best_at);
        continue;
      }
      Bank& b = m_banks[static_cast<std::size_t>(q.bank)];
      Group& g = m_groups[static_cast<std::size_t>(group_of(q.bank))];
      Rank& r = m_ranks[static_cast<std::size_t>(rank)];
      const Cycle now = best_at;
      m_next_command = now + 1;
      switch (best_kind) {
        case Kind::Act:
          q.needed_act = true;
          b.open_row = q.row;
          b.next_cas = now + t.trcd;
          b.next_pre = std::max(b.next_pre, now + t.tras);
          b.next_act = now + t.trc;
          g.next_act = std::max(g.next_act, now + t.trrd_l);
          r.next_act = std::max(r.next_act, now + t.trrd_s);
          r.acts.push_back(now);
          return -1;
        case Kind::Pre:
          q.needed_pre = true;
          b.open_row = -1;
          b.next_act = std::max(b.next_act, now + t.trp);
          return -1;
        case Kind::Rd:
        case Kind::Wr: {
          const bool read = best_kind == Kind::Rd;
          const Cycle end = now + (read ? t.tcl : t.tcwl) + burst;
          if (read) {
            b.next_pre = std::max(b.next_pre, now + t.trtp);
            g.next_rd = std::max(g.next_rd, now + t.tccd_l);
            r.next_rd = std::max(r.next_rd, now + t.tccd_s);
            r.next_wr = std::max(r.next_wr, now + std::max(1, t.tcl + burst + 2 - t.tcwl));
          } else {
            b.next_pre = std::max(b.next_pre, end + t.twr);
            g.next_wr = std::max(g.next_wr, now + t.tccd_l);
            r.next_wr = std::max(r.next_wr, now + t.tccd_s);
            g.next_rd = std::max(g.next_rd, end + t.twtr_l);
            r.next_rd = std::max(r.next_rd, end + t.twtr_s);
          }
          m_bus_free = std::max(m_bus_free, end);
          m_bus_rank = rank;
          (*m_done)[static_cast<std::size_t>(q.id)] = end;
          conflicts += q.needed_pre;
          misses += q.needed_act && !q.needed_pre;
          hits += !q.needed_act && !q.needed_pre;
          m_queue.erase(m_queue.begin() + static_cast<std::ptrdiff_t>(best));
          return now;
        }
      }
    }
  }

  DramSpec m_spec;
  bool m_refresh;
  std::vector<Cycle>* m_done;
  Cycle m_period = 0;
  std::vector<Request> m_queue;  // admission (age) order
  std::vector<Bank> m_banks;
  std::vector<Group> m_groups;
  std::vector<Rank> m_ranks;
  Cycle m_next_command = 0, m_bus_free = 0;
  int m_bus_rank = -1;
};

struct ReferenceResult {
  std::vector<Cycle> done;
  std::uint64_t hits = 0, misses = 0, conflicts = 0;
};

// Waits on every 17th request (from the 6th on) in the patterns that wait; in pattern 7 the requests after
// a wait arrive no earlier than its completion (a refill that needs the data first).
bool waits_after(int kind, std::size_t i) { return kind >= 6 && i % 17 == 5; }

// The in-order port of DramSystem over reference channels, including DramSystem::wait_for: serve the
// request's channel until it is done; later requests enter no earlier than the last command issued.
ReferenceResult reference_serve(const DramSpec& spec, int kind, const std::vector<DramRequest>& requests, bool refresh) {
  ReferenceResult out;
  out.done.assign(requests.size(), -1);
  const AddressDecoder decoder(spec);
  std::vector<ReferenceChannel> channels;
  for (int c = 0; c < spec.channels; ++c) channels.emplace_back(spec, refresh, &out.done);
  Cycle last_entry = 0, waited = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const DramAddress a = decoder.decode(requests[i].address);
    ReferenceChannel& ch = channels[static_cast<std::size_t>(a.channel)];
    const Cycle arrival = kind == 7 ? std::max(requests[i].arrival, waited) : requests[i].arrival;
    Cycle entry = std::max(arrival, last_entry);
    if (ch.full()) entry = std::max(entry, ch.run_until_slot_frees());
    last_entry = entry;
    ch.admit(i, entry, requests[i].access, a);
    if (waits_after(kind, i)) {
      while (out.done[i] < 0) last_entry = std::max(last_entry, ch.run_until_slot_frees());
      waited = out.done[i];
    }
  }
  for (ReferenceChannel& ch : channels) {
    ch.drain();
    out.hits += ch.hits;
    out.misses += ch.misses;
    out.conflicts += ch.conflicts;
  }
  return out;
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64: a counter-based hash, so the streams are fixed
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Request streams over `bursts` bursts: 0 random reads at once, 1 a stream, 2 mixed reads and writes over
// few rows (hits, conflicts, turnarounds), 3 the same spread out in time (idle gaps, refresh catch-up),
// 4 a ping-pong between two rows of one bank, 5 a new row every request over all banks (ACT-bound: tRRD,
// tFAW), 6 random reads and writes arriving over time, 7 a stream of read and write blocks with gaps (6 and
// 7 with waits, see waits_after), 8 the mix of 2 with idle gaps beyond the 18 bits of the scan's packed
// wait every 100 requests (its exact fallback).
std::vector<DramRequest> pattern(const DramSpec& spec, int kind, int n) {
  const auto burst = static_cast<std::uint64_t>(spec.burst_bytes());
  const std::uint64_t bursts = spec.capacity_bytes() / burst;
  const std::uint64_t row_stride = bursts / static_cast<std::uint64_t>(spec.rows);  // next row, same bank
  std::vector<DramRequest> out;
  Cycle t = 0;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t r = mix(static_cast<std::uint64_t>(i) * 4 + static_cast<std::uint64_t>(kind));
    std::uint64_t b = 0;
    Access access = Access::Read;
    if (kind == 0) b = r % bursts;
    if (kind == 1) b = static_cast<std::uint64_t>(i) % bursts;
    if (kind >= 2) {
      b = (r % 4096) % bursts;
      access = (r >> 20) % 3 == 0 ? Access::Write : Access::Read;
    }
    if (kind == 3) t += static_cast<Cycle>((r >> 40) % (i % 500 == 0 ? 200000 : 60));
    const auto u = static_cast<std::uint64_t>(i);
    if (kind == 4) b = ((u % 2) * 3 * row_stride + u / 2 % 7) % bursts;
    if (kind == 5) b = (u * row_stride + u * static_cast<std::uint64_t>(spec.channels)) % bursts;
    if (kind == 6) {
      b = r % bursts;
      access = (r >> 50) % 2 == 0 ? Access::Write : Access::Read;
      t += static_cast<Cycle>((r >> 33) % 8);
    }
    if (kind == 7) {
      b = u * 3 % bursts;
      access = u / 64 % 2 == 0 ? Access::Read : Access::Write;
      t += i % 256 == 0 ? 5000 : 0;
    }
    if (kind == 8 && i % 100 == 99) t += (Cycle{1} << 18) + static_cast<Cycle>((r >> 40) % (Cycle{1} << 19));
    out.push_back({b * burst, access, t});
  }
  return out;
}

}  // namespace

TEST_CASE("dram: every completion cycle matches a naive reference FR-FCFS scheduler", "[unit]") {
  for (const std::string& name : dram_preset_names())
    for (int kind = 0; kind < 9; ++kind)
      for (const bool refresh : {false, true})
        for (const int variant : {0, 1, 2}) {
          DramSpec spec = dram_preset(name);
          if (variant == 1) {  // back-pressure and the row-contiguous mapping
            spec.queue_depth = 4;
            spec.mapping = AddressMapping::RoBaRaCoCh;
          }
          if (variant == 2) spec.ranks = 2;  // rank switches (tRTRS), staggered refresh, the scan's general path
          const std::vector<DramRequest> requests = pattern(spec, kind, 1500);
          DramOptions options;
          options.refresh = refresh;
          DramSystem dram(spec, options);
          Cycle waited = 0;
          for (std::size_t i = 0; i < requests.size(); ++i) {
            DramRequest r = requests[i];
            if (kind == 7) r.arrival = std::max(r.arrival, waited);
            const std::uint64_t id = dram.enqueue(r);
            if (waits_after(kind, i)) waited = dram.wait_for(id);
          }
          dram.drain();
          const ReferenceResult ref = reference_serve(spec, kind, requests, refresh);
          INFO(name << " pattern " << kind << " refresh " << refresh << " variant " << variant);
          std::size_t mismatches = 0, first = requests.size();
          for (std::size_t i = 0; i < requests.size(); ++i)
            if (dram.completion(i) != ref.done[i]) {
              ++mismatches;
              first = std::min(first, i);
            }
          INFO("first mismatch at request " << first);
          CHECK(mismatches == 0);
          const DramStats s = dram.stats();
          CHECK(s.row_hits == ref.hits);
          CHECK(s.row_misses == ref.misses);
          CHECK(s.row_conflicts == ref.conflicts);
        }
}
