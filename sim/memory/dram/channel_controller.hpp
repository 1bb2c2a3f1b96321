#pragma once
// ChannelController: one DRAM channel and its memory controller. Banks with open-page row buffers,
// bank-group and rank timing state, refresh, and an FR-FCFS request queue of DramSpec::queue_depth
// entries: at each command slot it issues, among the commands whose timing constraints are met, a
// row-hit RD/WR first, else the oldest request's next command (PRE, ACT or RD/WR), one command per
// clock cycle. Event-driven: it jumps straight to the cycle the next command becomes legal, so idle and
// waiting cycles cost nothing.
//
// Policies (the model's simplifications, documented in README.md): a bank whose open row has a queued
// hit is not precharged; rows stay open after an access (open page); refresh REF/REFpb commands take no
// command-bus slot; reads and writes share the queue (no write-drain mode).
#include <array>
#include <cstdint>
#include <vector>

#include "sim/memory/dram/completion_log.hpp"
#include "sim/memory/dram/dram_request.hpp"
#include "sim/memory/dram/dram_spec.hpp"

namespace saffire::memory::dram {

class ChannelController {
 public:
  /// `record` receives (request id, completion cycle) for every served request when not null.
  ChannelController(const DramSpec& spec, bool refresh, CompletionLog* record);

  bool full() const { return m_queued == static_cast<int>(m_slots.size()); }
  /// Puts a request in the queue, visible to the scheduler from cycle `visible` on. Precondition: !full(),
  /// and no command has been issued at a cycle after `visible` (the caller admits in time order).
  void admit(std::uint64_t id, Cycle arrival, Cycle visible, Access access, int rank, int bank_group, int bank,
             std::int64_t row);
  bool empty() const { return m_queued == 0; }
  /// Issues commands until a queue entry frees (its RD/WR is issued); returns that cycle. Precondition: queued.
  Cycle run_until_slot_frees();
  /// Issues commands until the queue is empty.
  void drain();

  DramStats stats() const;

 private:
  enum class Command : std::uint8_t { Act, Pre, Rd, Wr };
  static constexpr Cycle kNoArrival = INT64_MAX;
  struct Slot {
    std::uint64_t id = 0;
    std::uint64_t seq = 0;  // admission order: lower is older
    Cycle arrival = 0, visible = 0;
    std::int64_t row = 0;
    int bank = 0;  // flat bank index within the channel
    Access access = Access::Read;
    bool needed_pre = false, needed_act = false;
  };
  struct Bank {
    std::int64_t open_row = -1;  // -1: closed (precharged)
    Cycle next_act = 0, next_pre = 0, next_cas = 0;
    int index = 0;            // in m_banks
    int rank = 0, group = 0;  // group: flat bank-group index within the channel
    int active_pos = -1;       // index in m_active, -1 when nothing waits
    std::vector<int> waiting;  // queued slots, oldest first
    // The bank's next command (cached; recomputed only when this bank's state or queue changes): RD/WR
    // for its oldest row hit, else the oldest request's PRE (row open) or ACT (closed). Its offer (the
    // first cycle the bank itself and the request's arrival allow it, its FR-FCFS key) is in the scan's
    // arrays at active_pos.
    Command next = Command::Act;
    int next_slot = -1;
  };
  struct Group {
    Cycle next_act = 0, next_rd = 0, next_wr = 0;
    int rank = 0;
  };
  struct Rank {
    Cycle next_act = 0, next_rd = 0, next_wr = 0;
    std::array<Cycle, 4> last_acts{};  // the last four ACTs (ring, oldest at faw_pos), for tFAW
    int faw_pos = 0;
    Cycle next_refresh = 0;  // due cycle of the next REF (all-bank) or REFpb (per-bank)
    int refresh_bank = 0;    // per-bank mode: the bank (within the rank) refreshed next
  };

  Cycle issue_next();  // issues one command; returns the freed slot's cycle or -1 when no slot freed
  void refresh_rank(int rank, Cycle now);  // catches up with every refresh due at or before `now`
  void refresh_bank(Bank& b, Cycle due, int trfc);
  void update_refresh_due();  // m_refresh_due from the ranks (kNever without refresh)
  void apply(Command c, int bank_index, int slot, Cycle t);
  void complete(Bank& b, int slot, Cycle done);  // the request in `slot` of bank `b` is served
  void update_next(Bank& b);  // recomputes the bank's cached next command
  void update_act_limits(int rank, int group);  // the ACT limits after an ACT in `group` of `rank`
  void update_cas_limits(int group);            // the RD and WR limits after a RD or WR in `group`
  void renumber_ages();       // before the ages outgrow their bits in the packed keys
  void offer(Bank& b, int slot, bool hit);  // caches slot's command (its RD/WR if `hit`, else PRE or ACT)
  void set_offer(Bank& b, int slot, Command next, Cycle bank_allows);  // ... when the command is known

  DramSpec m_spec;
  bool m_refresh;
  CompletionLog* m_record;
  int m_burst = 0, m_rtw = 0, m_refresh_period = 0, m_refresh_events = 0;
  std::vector<Slot> m_slots;
  std::vector<int> m_free_slots;
  int m_queued = 0;
  std::uint64_t m_next_seq = 0;
  std::vector<Bank> m_banks;
  std::vector<Group> m_groups;
  std::vector<Rank> m_ranks;
  // Banks with waiting requests (any order) and, at the same index, each one's offer as arrays for the
  // scan in issue_next: the first cycle the bank and the request allow its next command, its FR-FCFS key
  // (bit 45: not a row hit; bits 10-44: age, the request's seq; bits 8-9: the command; bits 0-7: the bank;
  // the last two name the winner's command and bank) and the index in m_shared (bank group * 4 + Command)
  // of the shared constraint on it.
  std::vector<int> m_active;
  std::vector<Cycle> m_offer_local;
  std::vector<std::uint64_t> m_offer_key;
  std::vector<std::int64_t> m_offer_shared;
  std::vector<Cycle> m_shared;  // per bank group and Command: the first cycle the group's state allows (see below)
  // One rank: m_shared holds the bank groups' own limits and this the rank's and the data bus's, per Command
  // (the scan takes the maximum of both); several ranks: m_shared holds everything and this stays kLongAgo.
  alignas(32) std::array<Cycle, 4> m_rank_limits{};
  bool m_one_rank = false;
  Cycle m_refresh_due = 0;    // the earliest next_refresh of the ranks (no rank is due before it)
  Cycle m_next_command = 0;   // command bus: one command per cycle
  Cycle m_bus_free = 0;       // data bus: the cycle the last burst ends
  int m_bus_rank = -1;
  DramStats m_stats;  // counts as complete() keeps them (stats() derives the rest)
  std::uint64_t m_served = 0;
  Cycle m_first_arrival = kNoArrival;
};

}  // namespace saffire::memory::dram
