#include "sim/memory/dram/channel_controller.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <limits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace saffire::memory::dram {
namespace {

constexpr Cycle kLongAgo = -(Cycle{1} << 40);  // "no earlier command": every constraint from it is met
constexpr Cycle kNever = std::numeric_limits<Cycle>::max();
// issue_next packs (cycles until legal, not a hit, age, command, bank) into one integer: 18 + 1 + 35 + 2 + 8
// bits. The age decides every tie (ages are unique), so the command and bank below it never order anything:
// they make the minimum name its winner's bank (no search for it) and command (no load before branching on it).
constexpr int kBankBits = 8, kCommandBits = 2, kSeqBits = 35, kWaitShift = 46;
constexpr std::uint64_t kBankMask = (std::uint64_t{1} << kBankBits) - 1;
static_assert(kMaxBanksPerChannel <= (1 << kBankBits), "a bank index must fit the packed key");
constexpr std::uint64_t kSeqLimit = (std::uint64_t{1} << kSeqBits) - 1;  // ages are renumbered before this
constexpr int kSeqShift = kBankBits + kCommandBits;
constexpr std::uint64_t kNotHit = std::uint64_t{1} << (kSeqShift + kSeqBits);
static_assert(kSeqShift + kSeqBits + 1 == kWaitShift, "the packed key's fields fill its low bits");
constexpr std::uint64_t kKeyMask = (std::uint64_t{1} << kWaitShift) - 1;
// The scan runs over whole blocks of offers (one or two vector registers); padding offers wait "forever"
// with the largest key, so their packed value is ~0 and never wins.
constexpr std::size_t kOfferBlock = 8;
constexpr Cycle kPadLocal = std::numeric_limits<Cycle>::max() / 2;
constexpr std::uint64_t kWaitSaturated = (std::uint64_t{1} << (64 - kWaitShift)) - 1;

}  // namespace

ChannelController::ChannelController(const DramSpec& spec, bool refresh, CompletionLog* record)
    : m_spec(spec), m_refresh(refresh), m_record(record) {
  const DramTiming& t = m_spec.timing;
  m_burst = m_spec.burst_cycles();
  // Read to write on one rank: the write data may start only after the read data and a two-cycle bus
  // turnaround (JEDEC tRTW = RL + BL/2 - WL + 2 tCK).
  m_rtw = std::max(1, t.tcl + m_burst + 2 - t.tcwl);
  const int banks = m_spec.banks_per_rank();
  if (m_spec.refresh == RefreshMode::PerBank) {
    m_refresh_period = t.trefi / banks;
    m_refresh_events = banks;
  } else {
    m_refresh_period = t.trefi;
    m_refresh_events = 1;
  }
  m_slots.resize(static_cast<std::size_t>(m_spec.queue_depth));
  for (int i = m_spec.queue_depth - 1; i >= 0; --i) m_free_slots.push_back(i);
  m_banks.resize(static_cast<std::size_t>(m_spec.ranks * banks));
  m_groups.resize(static_cast<std::size_t>(m_spec.ranks * m_spec.bank_groups));
  m_ranks.resize(static_cast<std::size_t>(m_spec.ranks));
  // At least two blocks (the vector scan's permute table), kLongAgo beyond the bank groups' entries.
  m_shared.assign(std::max(m_groups.size() * 4, 2 * kOfferBlock), kLongAgo);
  m_rank_limits.fill(kLongAgo);
  m_one_rank = m_spec.ranks == 1;
  const std::size_t padded = (m_banks.size() + kOfferBlock - 1) / kOfferBlock * kOfferBlock;
  m_offer_local.assign(padded, kPadLocal);
  m_offer_key.assign(padded, kKeyMask);
  m_offer_shared.assign(padded, 0);
  for (std::size_t gi = 0; gi < m_groups.size(); ++gi) m_groups[gi].rank = static_cast<int>(gi) / m_spec.bank_groups;
  for (std::size_t i = 0; i < m_banks.size(); ++i) {
    Bank& b = m_banks[i];
    b.index = static_cast<int>(i);
    b.rank = static_cast<int>(i) / banks;
    b.group = static_cast<int>(i) / m_spec.banks_per_group;
    b.waiting.reserve(m_slots.size());
  }
  for (std::size_t r = 0; r < m_ranks.size(); ++r) {
    m_ranks[r].last_acts.fill(kLongAgo);
    // Ranks refresh staggered over one interval, so they are not all blocked at once.
    m_ranks[r].next_refresh = m_refresh_period + static_cast<Cycle>(r) * m_refresh_period / m_spec.ranks;
    for (int g = 0; g < m_spec.bank_groups; ++g)
      update_act_limits(static_cast<int>(r), static_cast<int>(r) * m_spec.bank_groups + g);
  }
  update_refresh_due();
  for (std::size_t g = 0; g < m_groups.size(); ++g) update_cas_limits(static_cast<int>(g));
}

DramStats ChannelController::stats() const {
  DramStats out = m_stats;
  const auto bytes = static_cast<std::uint64_t>(m_spec.burst_bytes());
  out.reads = m_served - out.writes;
  out.bytes_read = out.reads * bytes;
  out.bytes_written = out.writes * bytes;
  out.row_hits = m_served - out.row_misses - out.row_conflicts;
  out.first_arrival = m_served > 0 ? m_first_arrival : 0;
  return out;
}

void ChannelController::admit(std::uint64_t id, Cycle arrival, Cycle visible, Access access, int rank, int bank_group,
                              int bank, std::int64_t row) {
  assert(!full());
  const int s = m_free_slots.back();
  m_free_slots.pop_back();
  Slot& slot = m_slots[static_cast<std::size_t>(s)];
  slot.id = id;
  if (m_next_seq == kSeqLimit) renumber_ages();
  slot.seq = m_next_seq++;
  slot.arrival = arrival;
  slot.visible = visible;
  slot.row = row;
  slot.bank = (rank * m_spec.bank_groups + bank_group) * m_spec.banks_per_group + bank;
  slot.access = access;
  slot.needed_pre = slot.needed_act = false;
  Bank& b = m_banks[static_cast<std::size_t>(slot.bank)];
  b.waiting.push_back(s);
  const bool hit = b.open_row >= 0 && row == b.open_row;
  if (b.active_pos < 0) {
    b.active_pos = static_cast<int>(m_active.size());
    m_active.push_back(slot.bank);
    offer(b, s, hit);
  } else if (hit && b.next == Command::Pre) {
    offer(b, s, true);  // the bank's first row hit (the youngest request changes nothing else)
  }
  ++m_queued;
}

void ChannelController::renumber_ages() {
  // The queued requests get ages 0, 1, ... in their order, so the packed keys never run out of bits.
  std::vector<std::pair<std::uint64_t, int>> queued;
  for (const Bank& b : m_banks)
    for (const int s : b.waiting) queued.emplace_back(m_slots[static_cast<std::size_t>(s)].seq, s);
  std::sort(queued.begin(), queued.end());
  for (std::size_t i = 0; i < queued.size(); ++i) m_slots[static_cast<std::size_t>(queued[i].second)].seq = i;
  m_next_seq = queued.size();
  for (Bank& b : m_banks) update_next(b);
}

Cycle ChannelController::run_until_slot_frees() {
  for (;;) {
    const Cycle freed = issue_next();
    if (freed >= 0) return freed;
  }
}

void ChannelController::drain() {
  while (m_queued > 0) issue_next();
}

void ChannelController::update_next(Bank& b) {
  if (b.waiting.empty()) return;
  int hit = -1;
  if (b.open_row >= 0)
    for (const int s : b.waiting)
      if (m_slots[static_cast<std::size_t>(s)].row == b.open_row) {
        hit = s;
        break;
      }
  offer(b, hit >= 0 ? hit : b.waiting.front(), hit >= 0);
}

void ChannelController::offer(Bank& b, int slot, bool hit) {
  const Slot& s = m_slots[static_cast<std::size_t>(slot)];
  if (hit)
    set_offer(b, slot, s.access == Access::Read ? Command::Rd : Command::Wr, b.next_cas);
  else if (b.open_row >= 0)
    set_offer(b, slot, Command::Pre, b.next_pre);
  else
    set_offer(b, slot, Command::Act, b.next_act);
}

void ChannelController::set_offer(Bank& b, int slot, Command next, Cycle bank_allows) {
  // Only banks with waiting requests make offers, and those are active (in the scan's arrays).
  assert(b.active_pos >= 0);
  const Slot& s = m_slots[static_cast<std::size_t>(slot)];
  b.next = next;
  b.next_slot = slot;
  // Priority among commands legal in the same cycle: row hits first, then age (the command and the bank
  // below the age name the winner, see kBankBits).
  const bool hit = next == Command::Rd || next == Command::Wr;
  const auto i = static_cast<std::size_t>(b.active_pos);
  m_offer_local[i] = std::max(s.visible, bank_allows);
  m_offer_key[i] = (hit ? 0 : kNotHit) | (s.seq << kSeqShift) | (static_cast<std::uint64_t>(next) << kBankBits) |
                   static_cast<std::uint64_t>(b.index);
  m_offer_shared[i] = b.group * 4 + static_cast<int>(next);
}

// What the shared state (bank group, rank, data bus) allows, per bank group and command: the same for
// every bank of the group, so kept per group and updated by the commands that change it. With one rank the
// rank's and the bus's part is one table of four (m_rank_limits), the same for every group, that the scan
// takes the maximum with: a command then updates its own group's entry and the rank's, not every group's.
void ChannelController::update_act_limits(int rank, int group) {
  const DramTiming& t = m_spec.timing;
  const Rank& r = m_ranks[static_cast<std::size_t>(rank)];
  const Cycle faw = r.last_acts[static_cast<std::size_t>(r.faw_pos)] + t.tfaw;
  constexpr auto act = static_cast<std::size_t>(Command::Act);
  if (m_one_rank) {
    m_shared[static_cast<std::size_t>(group) * 4 + act] = m_groups[static_cast<std::size_t>(group)].next_act;
    m_rank_limits[act] = std::max(r.next_act, faw);
    return;
  }
  for (int gi = rank * m_spec.bank_groups; gi < (rank + 1) * m_spec.bank_groups; ++gi)
    m_shared[static_cast<std::size_t>(gi) * 4 + act] =
        std::max(std::max(m_groups[static_cast<std::size_t>(gi)].next_act, r.next_act), faw);
}

void ChannelController::update_cas_limits(int group) {
  // Everything read once into locals: the stores into m_shared could alias the members otherwise.
  const Cycle bus = m_bus_free, bus_other_rank = m_bus_free + m_spec.timing.trtrs;
  const int bus_rank = m_bus_rank, tcl = m_spec.timing.tcl, tcwl = m_spec.timing.tcwl;
  const Group* groups = m_groups.data();
  const Rank* ranks = m_ranks.data();
  Cycle* allowed = m_shared.data();
  constexpr auto rd = static_cast<std::size_t>(Command::Rd), wr = static_cast<std::size_t>(Command::Wr);
  if (m_one_rank) {
    const Group& g = groups[group];
    allowed[static_cast<std::size_t>(group) * 4 + rd] = g.next_rd;
    allowed[static_cast<std::size_t>(group) * 4 + wr] = g.next_wr;
    // The data burst may not overlap the previous one on the bus.
    m_rank_limits[rd] = std::max(ranks[0].next_rd, bus - tcl);
    m_rank_limits[wr] = std::max(ranks[0].next_wr, bus - tcwl);
    return;
  }
  const std::size_t n = m_groups.size();
  for (std::size_t gi = 0; gi < n; ++gi) {
    const Group& g = groups[gi];
    const Rank& r = ranks[g.rank];
    // The data burst may not overlap the previous one on the bus (plus a gap across ranks).
    const Cycle data = bus_rank >= 0 && bus_rank != g.rank ? bus_other_rank : bus;
    allowed[gi * 4 + rd] = std::max(std::max(g.next_rd, r.next_rd), data - tcl);
    allowed[gi * 4 + wr] = std::max(std::max(g.next_wr, r.next_wr), data - tcwl);
  }
}

Cycle ChannelController::issue_next() {
  for (;;) {
    // Every bank with waiting requests offers its next command at the first cycle all constraints
    // allow. FR-FCFS: the command issued is the one legal soonest, no sooner than the next command slot;
    // among those legal at that cycle, row hits (RD/WR) first, then the oldest request. Both rules are
    // one order on (cycles from the next slot until legal, not a hit, age), packed into one integer, so
    // the scan is one branch-free minimum over arrays (vectorised); keys are unique (the age), so the
    // winner is found again by its key. A wait too long for its 18 bits (an idle gap of 2^18 or more
    // cycles) falls back to an exact scan.
    const Cycle slot = m_next_command;
    const std::size_t n = m_active.size();
    const Cycle* local = m_offer_local.data();
    const std::uint64_t* keys = m_offer_key.data();
    const std::int64_t* shared = m_offer_shared.data();
    const Cycle* allowed_at = m_shared.data();
    const Cycle* rank_allows = m_rank_limits.data();  // indexed by Command
    // Whole blocks (the arrays are padded to kOfferBlock with offers that never win: packed value ~0).
    std::uint64_t best_packed = ~std::uint64_t{0};
#if defined(__AVX512F__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push  // GCC 12's AVX-512 headers trip -Wmaybe-uninitialized (_mm512_undefined_*)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    if (m_shared.size() == kOfferBlock * 2) {
      // The shared constraints fit two registers: each offer's one is a permute, not a load.
      const __m512i rank = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(rank_allows)));
      const __m512i lo = _mm512_max_epi64(_mm512_loadu_si512(allowed_at), rank),
                    hi = _mm512_max_epi64(_mm512_loadu_si512(allowed_at + kOfferBlock), rank);
      const __m512i slot_v = _mm512_set1_epi64(slot), zero = _mm512_setzero_si512();
      const __m512i saturated = _mm512_set1_epi64(static_cast<long long>(kWaitSaturated));
      __m512i best_v = _mm512_set1_epi64(-1);
      for (std::size_t b = 0; b < n; b += kOfferBlock) {
        const __m512i allowed = _mm512_permutex2var_epi64(lo, _mm512_loadu_si512(shared + b), hi);
        const __m512i at = _mm512_max_epi64(_mm512_loadu_si512(local + b), allowed);
        const __m512i wait = _mm512_min_epu64(_mm512_max_epi64(_mm512_sub_epi64(at, slot_v), zero), saturated);
        best_v = _mm512_min_epu64(best_v,
                                  _mm512_or_si512(_mm512_slli_epi64(wait, kWaitShift), _mm512_loadu_si512(keys + b)));
      }
      best_packed = _mm512_reduce_min_epu64(best_v);
    } else
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif
    {
      // Four independent minima (no chain of dependent selects through the scan, no gathers), then combined.
      std::array<std::uint64_t, 4> lane_best;
      lane_best.fill(~std::uint64_t{0});
      for (std::size_t b = 0; b < n; b += 4)
        for (std::size_t l = 0; l < 4; ++l) {
          const std::size_t i = b + l;
          const Cycle at = std::max(std::max(local[i], allowed_at[shared[i]]), rank_allows[shared[i] & 3]);
          const auto wait = static_cast<std::uint64_t>(std::max<Cycle>(at - slot, 0));
          lane_best[l] = std::min(lane_best[l], (std::min(wait, kWaitSaturated) << kWaitShift) | keys[i]);
        }
      for (std::size_t l = 0; l < 4; ++l) best_packed = std::min(best_packed, lane_best[l]);
    }
    std::size_t best_bank = best_packed & kBankMask;
    Cycle best_at = slot + static_cast<Cycle>(best_packed >> kWaitShift);
    if ((best_packed >> kWaitShift) == kWaitSaturated) {
      best_at = kNever;
      std::uint64_t best_key = ~std::uint64_t{0};
      for (std::size_t j = 0; j < n; ++j) {
        const Cycle at =
            std::max(std::max(std::max(local[j], allowed_at[shared[j]]), rank_allows[shared[j] & 3]), slot);
        if (at < best_at || (at == best_at && keys[j] < best_key)) {
          best_at = at;
          best_key = keys[j];
          best_bank = best_key & kBankMask;
        }
      }
      best_packed = best_key;
    }
    const Bank* best = &m_banks[best_bank];
    assert(n > 0);
    const Cycle now = best_at;
    // m_refresh_due first: one compare with no load chain behind it, false nearly always.
    if (now >= m_refresh_due && m_ranks[static_cast<std::size_t>(best->rank)].next_refresh <= now) {
      refresh_rank(best->rank, now);  // refreshes first, then choose again: banks may have closed
      continue;
    }
    // The command is in the key, so it is known from the scan (no dependent load before the branch on it).
    const auto command = static_cast<Command>((best_packed >> kBankBits) & ((1u << kCommandBits) - 1));
    assert(command == best->next);
    apply(command, static_cast<int>(best_bank), best->next_slot, now);
    m_next_command = now + 1;
    return command == Command::Rd || command == Command::Wr ? now : -1;
  }
}

void ChannelController::refresh_bank(Bank& b, Cycle due, int trfc) {
  Cycle ref = due;  // REF waits for the bank's precharge (PRE after tRAS/tRTP/tWR, then tRP) or its tRC
  if (b.open_row >= 0)
    ref = std::max(ref, b.next_pre + m_spec.timing.trp);
  else
    ref = std::max(ref, b.next_act);
  b.open_row = -1;
  b.next_act = ref + trfc;
  update_next(b);
}

void ChannelController::refresh_rank(int rank, Cycle now) {
  Rank& r = m_ranks[static_cast<std::size_t>(rank)];
  const int banks = m_spec.banks_per_rank();
  const bool per_bank = m_spec.refresh == RefreshMode::PerBank;
  const int trfc = per_bank ? m_spec.timing.trfcpb : m_spec.timing.trfc;
  const Cycle round = static_cast<Cycle>(m_refresh_period) * m_refresh_events;  // every bank once
  Bank* first_bank = &m_banks[static_cast<std::size_t>(rank * banks)];
  while (r.next_refresh <= now) {
    if (now - r.next_refresh > 3 * round) {
      // A long idle gap: skip whole rounds at once. After the first round every bank is closed, so each
      // later REF is issued exactly when due; only the last one of each bank still constrains it.
      const Cycle k = (now - r.next_refresh) / round - 1;
      for (int j = 0; j < banks; ++j) {
        Bank& b = first_bank[j];
        const Cycle position = per_bank ? (j - r.refresh_bank + banks) % banks : 0;
        const Cycle last_due = r.next_refresh + ((k - 1) * m_refresh_events + position) * m_refresh_period;
        b.open_row = -1;
        b.next_act = std::max(b.next_act, last_due + trfc);
        update_next(b);
      }
      m_stats.refreshes += static_cast<std::uint64_t>(k * m_refresh_events);
      r.next_refresh += k * round;
      continue;
    }
    if (per_bank) {
      refresh_bank(first_bank[r.refresh_bank], r.next_refresh, trfc);
      r.refresh_bank = (r.refresh_bank + 1) % banks;
    } else {
      Cycle ref = r.next_refresh;  // REFab: all banks precharged first
      for (int j = 0; j < banks; ++j) {
        const Bank& b = first_bank[j];
        ref = std::max(ref, b.open_row >= 0 ? b.next_pre + m_spec.timing.trp : b.next_act);
      }
      for (int j = 0; j < banks; ++j) {
        first_bank[j].open_row = -1;
        first_bank[j].next_act = ref + trfc;
        update_next(first_bank[j]);
      }
    }
    ++m_stats.refreshes;
    r.next_refresh += m_refresh_period;
  }
  update_refresh_due();
}

void ChannelController::update_refresh_due() {
  m_refresh_due = kNever;
  if (m_refresh)
    for (const Rank& r : m_ranks) m_refresh_due = std::min(m_refresh_due, r.next_refresh);
}

void ChannelController::apply(Command c, int bank_index, int slot_index, Cycle now) {
  const DramTiming& t = m_spec.timing;
  Bank& b = m_banks[static_cast<std::size_t>(bank_index)];
  Group& g = m_groups[static_cast<std::size_t>(b.group)];
  Rank& r = m_ranks[static_cast<std::size_t>(b.rank)];
  Slot& s = m_slots[static_cast<std::size_t>(slot_index)];
  switch (c) {
    case Command::Act:
      s.needed_act = true;
      b.open_row = s.row;
      b.next_cas = now + t.trcd;
      b.next_pre = std::max(b.next_pre, now + t.tras);
      b.next_act = now + t.trc;
      g.next_act = std::max(g.next_act, now + t.trrd_l);
      r.next_act = std::max(r.next_act, now + t.trrd_s);
      r.last_acts[static_cast<std::size_t>(r.faw_pos)] = now;
      r.faw_pos = (r.faw_pos + 1) % 4;
      update_act_limits(b.rank, b.group);
      // The ACT was the oldest request's: it is now the bank's first row hit.
      set_offer(b, slot_index, s.access == Access::Read ? Command::Rd : Command::Wr, b.next_cas);
      return;
    case Command::Pre:
      s.needed_pre = true;
      b.open_row = -1;
      b.next_act = std::max(b.next_act, now + t.trp);
      set_offer(b, slot_index, Command::Act, b.next_act);  // the PRE was the oldest request's (no hit queued)
      return;
    case Command::Rd: {
      const Cycle end = now + t.tcl + m_burst;
      b.next_pre = std::max(b.next_pre, now + t.trtp);
      g.next_rd = std::max(g.next_rd, now + t.tccd_l);
      r.next_rd = std::max(r.next_rd, now + t.tccd_s);
      r.next_wr = std::max(r.next_wr, now + m_rtw);
      m_bus_free = std::max(m_bus_free, end);
      m_bus_rank = b.rank;
      update_cas_limits(b.group);
      complete(b, slot_index, end);
      return;
    }
    case Command::Wr: {
      const Cycle end = now + t.tcwl + m_burst;
      b.next_pre = std::max(b.next_pre, end + t.twr);
      g.next_wr = std::max(g.next_wr, now + t.tccd_l);
      r.next_wr = std::max(r.next_wr, now + t.tccd_s);
      g.next_rd = std::max(g.next_rd, end + t.twtr_l);
      r.next_rd = std::max(r.next_rd, end + t.twtr_s);
      m_bus_free = std::max(m_bus_free, end);
      m_bus_rank = b.rank;
      update_cas_limits(b.group);
      complete(b, slot_index, end);
      return;
    }
  }
}

void ChannelController::complete(Bank& b, int slot_index, Cycle done) {
  Slot& s = m_slots[static_cast<std::size_t>(slot_index)];
  // Counted without branches (the outcome of a random pattern is unpredictable); reads, bytes and hits are
  // derived in stats().
  const std::uint64_t write = s.access == Access::Write;
  m_stats.writes += write;
  m_stats.row_conflicts += s.needed_pre;
  m_stats.row_misses += s.needed_act & !s.needed_pre;
  m_stats.latency_sum += static_cast<std::uint64_t>(done - s.arrival);
  m_first_arrival = std::min(m_first_arrival, s.arrival);
  m_stats.last_completion = std::max(m_stats.last_completion, done);
  ++m_served;
  if (m_record != nullptr) m_record->set(s.id, done);

  // Behind the served request (it was the bank's first row hit), one pass over the few waiting entries closes
  // the gap and finds the next hit: no memmove call, one loop exit to predict.
  int* waiting = b.waiting.data();
  const auto size = static_cast<std::ptrdiff_t>(b.waiting.size());
  std::ptrdiff_t at = 0;
  while (waiting[at] != slot_index) ++at;
  int hit = -1;
  for (std::ptrdiff_t j = at + 1; j < size; ++j) {
    const int w = waiting[j];
    waiting[j - 1] = w;
    hit = hit < 0 && m_slots[static_cast<std::size_t>(w)].row == b.open_row ? w : hit;
  }
  b.waiting.pop_back();
  // The row stays open after the RD/WR: a later hit's RD/WR is next, else the oldest request's PRE.
  if (hit >= 0)
    set_offer(b, hit, m_slots[static_cast<std::size_t>(hit)].access == Access::Read ? Command::Rd : Command::Wr,
              b.next_cas);
  else if (!b.waiting.empty())
    set_offer(b, b.waiting.front(), Command::Pre, b.next_pre);
  if (b.waiting.empty()) {  // swap-remove the bank from the active list
    const int last = m_active.back();
    m_active[static_cast<std::size_t>(b.active_pos)] = last;
    const auto pos = static_cast<std::size_t>(b.active_pos), end = m_active.size() - 1;
    m_offer_local[pos] = m_offer_local[end];
    m_offer_key[pos] = m_offer_key[end];
    m_offer_shared[pos] = m_offer_shared[end];
    m_offer_local[end] = kPadLocal;  // the freed place pads again
    m_offer_key[end] = kKeyMask;
    m_offer_shared[end] = 0;
    m_banks[static_cast<std::size_t>(last)].active_pos = b.active_pos;
    m_active.pop_back();
    b.active_pos = -1;
  }
  m_free_slots.push_back(slot_index);
  --m_queued;
}

}  // namespace saffire::memory::dram
