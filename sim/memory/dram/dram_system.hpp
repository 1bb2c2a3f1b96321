#pragma once
// DramSystem: the DRAM timing model's API for the memory seam. A DramSpec's channels, each with its
// FR-FCFS controller (channel_controller.hpp), behind one request port:
//
//   DramSystem dram(dram_preset("DDR4-3200"));
//   for (...) dram.enqueue({address, Access::Read, arrival_cycle});   // ids 0, 1, 2, ... in this order
//   dram.drain();
//   Cycle done = dram.completion(id);          // cycle the request's last data beat ends
//   DramStats s = dram.stats();                // bytes, row hits/misses/conflicts, bandwidth, latency
//
// The port is in order: a request enters its channel's queue at max(its arrival, the previous request's
// entry, the cycle a queue entry of that channel frees). A full queue therefore stalls the requests
// behind it (back-pressure), and each request's latency (completion - arrival) includes that wait.
//
// A caller whose next requests depend on earlier completions (a scratchpad that refills once the array
// has consumed its data) waits on them one at a time instead of draining:
//
//   auto id = dram.enqueue({address, Access::Read, now});
//   Cycle done = dram.wait_for(id);            // serves that request's channel until it completes
//   dram.enqueue({next_address, Access::Read, done});
//   dram.forget_before(id + 1);                // completions no longer needed (bounded memory)
//
// After a wait the port takes no request earlier than the last command that wait issued, so a later
// request never lands in a channel's past.
// Cycles are DRAM command-clock cycles (DramSpec::clock_mhz). Deterministic: no randomness, no clock.
#include <cstdint>
#include <span>
#include <vector>

#include "sim/memory/dram/address_mapping.hpp"
#include "sim/memory/dram/channel_controller.hpp"
#include "sim/memory/dram/dram_request.hpp"
#include "sim/memory/dram/dram_spec.hpp"

namespace saffire::memory::dram {

struct DramOptions {
  bool refresh = true;             // false: no refresh (for closed-form checks)
  bool record_completions = true;  // keep every request's completion cycle (completion(id))
};

class DramSystem {
 public:
  /// Validates `spec` (ConfigError naming the key when inconsistent).
  explicit DramSystem(const DramSpec& spec, const DramOptions& options = {});
  DramSystem(const DramSystem&) = delete;  // the channels point at m_completions
  DramSystem& operator=(const DramSystem&) = delete;

  /// Queues one burst access; returns its id (0, 1, 2, ... in enqueue order). May simulate the target
  /// channel until a queue entry frees.
  std::uint64_t enqueue(const DramRequest& request);
  /// Serves every queued request.
  void drain();
  /// Serves request `id`'s channel until `id` is complete; returns its completion cycle. Needs
  /// record_completions and an id not forgotten.
  Cycle wait_for(std::uint64_t id);
  /// Forgets the completions of the ids below `id` (completion() reads -1 for them afterwards).
  void forget_before(std::uint64_t id) { m_completions.forget_before(id); }
  /// The cycle request `id`'s data transfer ends, or -1 while it is not served yet (drain() serves all)
  /// or once forgotten. Needs record_completions.
  Cycle completion(std::uint64_t id) const;
  /// Totals over the requests served so far, all channels.
  DramStats stats() const;

  const DramSpec& spec() const { return m_spec; }
  const AddressDecoder& decoder() const { return m_decoder; }

 private:
  DramSpec m_spec;
  DramOptions m_options;
  AddressDecoder m_decoder;
  CompletionLog m_completions;
  std::vector<ChannelController> m_channels;
  std::uint64_t m_next_id = 0;
  Cycle m_last_entry = 0;  // entry cycle of the previous request (the port is in order)
};

/// The bulk helper: serves `requests` in order through a fresh DramSystem (completions not kept) and
/// returns the totals.
DramStats serve_requests(const DramSpec& spec, std::span<const DramRequest> requests, bool refresh = true);

}  // namespace saffire::memory::dram
