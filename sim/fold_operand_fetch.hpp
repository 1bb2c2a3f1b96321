#pragma once
// FoldOperandFetch: the initiator side of MemoryTargetModule, shared by both array modules. One reused
// payload per module; the target's wait goes into the module's quantum keeper (temporal decoupling: the
// fold-level array runs ahead of SystemC time by up to the global quantum, the PE-level one syncs before
// every fold because its cycles are real waits).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

namespace saffire::sim {

class FoldOperandFetch {
 public:
  FoldOperandFetch() {
    m_trans.set_command(tlm::TLM_READ_COMMAND);
    m_trans.set_data_ptr(nullptr);
    m_trans.set_data_length(0);
    m_trans.set_streaming_width(0);
    m_trans.set_byte_enable_ptr(nullptr);
    m_trans.set_dmi_allowed(false);
  }

  /// Waits (in local time) for fold `fold`'s operands.
  template <class Socket>
  void fetch(Socket& socket, tlm_utils::tlm_quantumkeeper& qk, std::int64_t fold) {
    m_trans.set_address(static_cast<std::uint64_t>(fold));
    m_trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = qk.get_local_time();
    socket->b_transport(m_trans, delay);
    if (m_trans.is_response_error())
      throw std::logic_error("memory target: no schedule for fold " + std::to_string(fold));
    qk.set(delay);
  }

 private:
  tlm::tlm_generic_payload m_trans;
};

}  // namespace saffire::sim
