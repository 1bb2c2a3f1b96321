// libFuzzer target: the CSV tables a user supplies: the fault table (`--fault-table`: voltage,bit,probability)
// and the SRAM bit-cell failure table (`--sram-failure-table`: voltage,probability).
#include "arch/tech/sram_bitcell.hpp"
#include "fuzz/fuzz_input.hpp"
#include "sim/faults/bit_error_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace saffire;
  fuzz::set_limits();
  const std::string text = fuzz::as_text(data, size);
  fuzz::expect_clean([&] { (void)faults::BitErrorTable::parse(text, "fuzz.csv"); });
  fuzz::expect_clean([&] { (void)arch::parse_sram_failure_table(text, "fuzz.csv"); });
  return 0;
}
