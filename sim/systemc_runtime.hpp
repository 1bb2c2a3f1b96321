#pragma once
// SystemcRuntime: SystemC elaborates once per process, so the array modules are built once and
// reused for every GEMM job (their size is data, not structure). One job runs at a time.
#include <cstdint>
#include <mutex>

namespace saffire::sim {

class PeArrayModule;
class FoldArrayModule;
class MemoryTargetModule;

class SystemcRuntime {
 public:
  static SystemcRuntime& instance();

  PeArrayModule& pe_array() { return *m_pe; }
  FoldArrayModule& fold_array() { return *m_fold; }
  /// The memory targets the two array modules fetch their folds' operands from (one socket each).
  MemoryTargetModule& pe_memory() { return *m_pe_memory; }
  MemoryTargetModule& fold_memory() { return *m_fold_memory; }

  /// Runs the SystemC scheduler until every module is idle again (the submitted job is done).
  void run_until_idle();
  /// Simulated time in picoseconds since the process started.
  std::uint64_t now_ps() const;
  /// Serializes jobs: hold it from submit to reading the result.
  std::mutex& job_mutex() { return m_mutex; }

 private:
  SystemcRuntime();
  PeArrayModule* m_pe = nullptr;      // owned by the SystemC kernel (modules live for the process)
  FoldArrayModule* m_fold = nullptr;
  MemoryTargetModule* m_pe_memory = nullptr;
  MemoryTargetModule* m_fold_memory = nullptr;
  std::mutex m_mutex;
};

}  // namespace saffire::sim
