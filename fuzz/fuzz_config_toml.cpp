// libFuzzer target: every TOML reader on the same document ([arch], [voltage], [tech], [abft], [memory],
// a DRAM preset file, a sweep file and its point list), as `--config`, `--tech`, `--abft-config`,
// `--dram-preset FILE.toml` and `saffire sweep` read them.
#include "abft/abft_config.hpp"
#include "arch/array_config_file.hpp"
#include "arch/tech/tech_table.hpp"
#include "arch/timing/voltage_config.hpp"
#include "arch/toml_file.hpp"
#include "fuzz/fuzz_input.hpp"
#include "sim/memory/dram/dram_spec.hpp"
#include "sim/memory/memory_config.hpp"
#include "sim/sweep/sweep_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace saffire;
  fuzz::set_limits();
  const std::string text = fuzz::as_text(data, size);
  const std::string origin = "fuzz.toml";
  fuzz::expect_clean([&] { (void)arch::parse_array_config(text, origin); });
  fuzz::expect_clean([&] { (void)arch::parse_voltage_config(text, origin); });
  fuzz::expect_clean([&] { (void)arch::parse_tech_table(text, origin); });
  fuzz::expect_clean([&] { (void)abft::parse_abft_config(text, origin); });
  fuzz::expect_clean([&] { (void)memory::parse_memory_config(text, origin); });
  fuzz::expect_clean([&] { (void)memory::dram::parse_dram_spec(text, origin); });
  fuzz::expect_clean([&] { (void)sim::parse_sweep_config(text, origin, fuzz::scratch_dir()).points(); });
  return 0;
}
