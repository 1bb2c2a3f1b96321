#include "sim/systemc_runtime.hpp"

#include <cstdlib>
#include <systemc>
#include <tlm>

#include "sim/fold_array_module.hpp"
#include "sim/memory_target_module.hpp"
#include "sim/pe_array_module.hpp"

namespace saffire::sim {

SystemcRuntime& SystemcRuntime::instance() {
  static SystemcRuntime runtime;
  return runtime;
}

SystemcRuntime::SystemcRuntime() {
  // The banner would corrupt --json output on stdout; ask SystemC not to print it.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  // Modules are intentionally leaked: SystemC keeps pointers to them until process exit.
  m_pe = new PeArrayModule("pe_array");
  m_fold = new FoldArrayModule("fold_array");
  m_pe_memory = new MemoryTargetModule("pe_memory");
  m_fold_memory = new MemoryTargetModule("fold_memory");
  m_pe->memory.bind(m_pe_memory->socket);
  m_fold->memory.bind(m_fold_memory->socket);
  // Temporal decoupling: the fold-level array yields to the scheduler at most once per 10 us of local time
  // (one job runs at a time, so nothing observes the offset; every job syncs at its end).
  tlm::tlm_global_quantum::instance().set(sc_core::sc_time(10, sc_core::SC_US));
  // Elaborate and let every SC_THREAD reach its first wait(), so the first job's notify is seen.
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

void SystemcRuntime::run_until_idle() { sc_core::sc_start(); }

std::uint64_t SystemcRuntime::now_ps() const {
  return sc_core::sc_time_stamp().value();  // time resolution is the default 1 ps
}

}  // namespace saffire::sim

// libsystemc.so references sc_main; saffire drives SystemC from its own main() through
// SystemcRuntime, so this entry point is never called.
extern "C" int sc_main(int, char*[]) { return 0; }
