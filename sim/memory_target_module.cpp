#include "sim/memory_target_module.hpp"

#include <string>

namespace saffire::sim {

MemoryTargetModule::MemoryTargetModule(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
  socket.register_b_transport(this, &MemoryTargetModule::b_transport);
}

void MemoryTargetModule::load(const std::vector<std::int64_t>* fold_stalls, sc_core::sc_time period) {
  m_fold_stalls = fold_stalls;
  m_period = period;
  m_granted = 0;
}

void MemoryTargetModule::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (!m_fold_stalls) return;
  const std::uint64_t fold = trans.get_address();
  if (fold >= m_fold_stalls->size()) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const std::int64_t stall = (*m_fold_stalls)[fold];
  if (stall == 0) return;
  delay += m_period * static_cast<double>(stall);
  m_granted += stall;
}

}  // namespace saffire::sim
