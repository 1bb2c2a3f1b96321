#pragma once
/// \brief MemoryTargetModule: the memory system as a TLM-2.0 loosely timed target.
///
/// Each array module fetches a fold's operands with one blocking b_transport (address = the fold's
/// arch::FoldPlan index, no data: the operands themselves are read from the job's arrays). The target
/// answers with the wait the memory model computed for that fold (MemoryReport::fold_stall_cycles), added
/// to the initiator's local time offset; the initiator's quantum keeper turns it into simulated time. With
/// no schedule loaded (ideal memory, or none) every fetch is instant.
#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace saffire::sim {

class MemoryTargetModule : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<MemoryTargetModule> socket;

  explicit MemoryTargetModule(sc_core::sc_module_name name);

  /// The stalls of the next job's folds (nullptr: none), one array cycle lasting `period`. `fold_stalls`
  /// must outlive the job.
  void load(const std::vector<std::int64_t>* fold_stalls, sc_core::sc_time period);
  /// Stall cycles granted since the last load().
  std::int64_t granted_cycles() const { return m_granted; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  const std::vector<std::int64_t>* m_fold_stalls = nullptr;
  sc_core::sc_time m_period;
  std::int64_t m_granted = 0;
};

}  // namespace saffire::sim
