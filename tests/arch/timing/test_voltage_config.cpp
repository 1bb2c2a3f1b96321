// VoltageConfig: the [voltage] TOML table with the run's nominal supply and clock from [arch], validation
// messages naming file, line and key, and the moved keys.
#include <catch2/catch.hpp>

#include "arch/array_config_file.hpp"
#include "arch/config_error.hpp"
#include "arch/timing/voltage_config.hpp"
#include "tests/test_support.hpp"

using namespace saffire::arch;
using saffire::ConfigError;

TEST_CASE("Voltage defaults and the [voltage] table", "[unit][timing]") {
  const VoltageConfig d;
  CHECK(d.v_nominal == 0.9);
  CHECK(d.v == 0.9);
  CHECK(d.vth == 0.35);
  CHECK(d.alpha == 1.3);
  CHECK(d.clock_ghz == 1.0);
  CHECK(d.guard_band == 0.05);
  CHECK(d.sigma == 0.03);
  CHECK(d.chip_seed == 1u);
  CHECK_NOTHROW(d.validate());

  // The clock is the run's, an [arch] key (it was a [voltage] key once).
  const VoltageConfig cfg = parse_voltage_config(
      "[arch]\nrows = 8\nclock_ghz = 2\n\n[voltage]\nv = 0.72\nsigma = 0\nalpha = 1.5\nchip_seed = 42\n", "t.toml");
  CHECK(cfg.v == 0.72);
  CHECK(cfg.sigma == 0.0);  // integer accepted for a number
  CHECK(cfg.alpha == 1.5);
  CHECK(cfg.chip_seed == 42u);
  CHECK(cfg.clock_ghz == 2.0);
  CHECK(cfg.vth == 0.35);  // default kept
  // No [voltage] table: defaults.
  CHECK(parse_voltage_config("[arch]\nrows = 4\n", "t.toml").v == 0.9);
  // Round trip through the resolved-config writers: [voltage] names v_nominal and clock_ghz in a comment
  // only; they are read back from [arch].
  const std::string text = to_toml(cfg);
  CHECK_THAT(text, Catch::Contains("# at [arch] v_nominal = 0.9 V, clock_ghz = 2"));
  ArrayConfig run;
  run.clock_ghz = cfg.clock_ghz;
  const VoltageConfig again = parse_voltage_config(to_toml(run) + "\n" + text, "again");
  CHECK(again.v == cfg.v);
  CHECK(again.alpha == cfg.alpha);
  CHECK(again.sigma == cfg.sigma);
  CHECK(again.chip_seed == cfg.chip_seed);
  CHECK(again.clock_ghz == cfg.clock_ghz);
}

namespace {

// The message of the ConfigError `text` raises (combined Catch2 matchers trip ASan, see test_support.hpp).
std::string parse_error(const std::string& text, const std::string& origin = "bad.toml") {
  return saffire::test::error_of([&] { (void)parse_voltage_config(text, origin); });
}

}  // namespace

TEST_CASE("The nominal supply and the clock come from the run's [arch]", "[unit][timing]") {
  // From the same document...
  VoltageConfig cfg = parse_voltage_config("[arch]\nv_nominal = 0.8\nclock_ghz = 1.5\n\n[voltage]\nsigma = 0\n", "t.toml");
  CHECK(cfg.v_nominal == 0.8);
  CHECK(cfg.clock_ghz == 1.5);
  CHECK(cfg.v == 0.8);  // no [voltage] v: the operating point is the nominal supply
  // ... or from the resolved [arch] (command-line overrides applied), which wins over the document's.
  ArrayConfig run;
  run.v_nominal = 0.75;
  run.clock_ghz = 0.5;
  cfg = parse_voltage_config("[arch]\nv_nominal = 0.8\n\n[voltage]\nv = 0.7\n", "t.toml", run);
  CHECK(cfg.v_nominal == 0.75);
  CHECK(cfg.clock_ghz == 0.5);
  CHECK(cfg.v == 0.7);
  CHECK(cfg.period_ps() == 2000.0);
  // No [voltage] table: the run's defaults.
  const VoltageConfig d = voltage_defaults(run);
  CHECK(d.v_nominal == 0.75);
  CHECK(d.v == 0.75);
  CHECK(d.clock_ghz == 0.5);
  CHECK(d.vth == VoltageConfig{}.vth);
  CHECK(parse_voltage_config("[arch]\nrows = 4\n", "t.toml", run).v == 0.75);
  // vth and v are checked against the run's nominal.
  CHECK_THAT(saffire::test::error_of([&] { (void)parse_voltage_config("[voltage]\nv = 1.6\n", "t.toml", run); }),
             Catch::Contains("2 * arch.v_nominal = 1.5"));
}

TEST_CASE("v_nominal and clock_ghz in [voltage] are errors naming their new place", "[unit][timing]") {
  using Catch::Contains;
  std::string msg = saffire::test::error_of(
      [] { (void)parse_voltage_config("[voltage]\nsigma = 0\n\nv_nominal = 0.8\n", "old.toml"); });
  CHECK_THAT(msg, Contains("old.toml:4: voltage.v_nominal: moved to [arch] v_nominal"));
  CHECK_THAT(msg, Contains("--v-nominal"));
  msg = saffire::test::error_of([] { (void)parse_voltage_config("[voltage]\nclock_ghz = 2\n", "old.toml"); });
  CHECK_THAT(msg, Contains("old.toml:2: voltage.clock_ghz: moved to [arch] clock_ghz"));
  CHECK_THAT(msg, Contains("--clock-ghz"));
  // Also when the value equals the run's: a moved key is never silently ignored.
  msg = saffire::test::error_of([] { (void)parse_voltage_config("[voltage]\nv_nominal = 0.9\n", "old.toml", ArrayConfig{}); });
  CHECK_THAT(msg, Contains("old.toml:2: voltage.v_nominal: moved"));
}

TEST_CASE("Bad voltage configs get errors naming file, line and key", "[unit][timing]") {
  using Catch::Contains;
  std::string msg = parse_error("[voltage]\n\nvolts = 0.8\n");
  CHECK_THAT(msg, Contains("bad.toml:3"));
  CHECK_THAT(msg, Contains("voltage.volts"));
  CHECK_THAT(msg, Contains("unknown key"));
  msg = parse_error("[voltage]\nsigma = \"big\"\n");
  CHECK_THAT(msg, Contains("bad.toml:2"));
  CHECK_THAT(msg, Contains("voltage.sigma"));
  CHECK_THAT(msg, Contains("expected a number"));
  msg = parse_error("[voltage]\nchip_seed = 1.5\n");
  CHECK_THAT(msg, Contains("bad.toml:2"));
  CHECK_THAT(msg, Contains("voltage.chip_seed"));
  CHECK_THAT(msg, Contains("integer"));
  CHECK_THAT(parse_error("[voltage]\nchip_seed = -1\n"), Contains("voltage.chip_seed"));
  // Range errors point at the line of the key.
  msg = parse_error("[voltage]\nvth = 0.4\n\nv = 0.3\n");
  CHECK_THAT(msg, Contains("bad.toml:4"));
  CHECK_THAT(msg, Contains("voltage.v:"));
  CHECK_THAT(msg, Contains("above vth"));
  msg = parse_error("[voltage]\nguard_band = 0.7\n");
  CHECK_THAT(msg, Contains("bad.toml:2"));
  CHECK_THAT(msg, Contains("voltage.guard_band"));
  CHECK_THAT(parse_error("[voltage]\nsigma = 0.5\n"), Contains("voltage.sigma"));
  CHECK_THAT(parse_error("[voltage]\nalpha = 3\n"), Contains("voltage.alpha"));
  CHECK_THAT(parse_error("voltage = 3\n"), Contains("must be a table"));
  CHECK_THROWS_AS(parse_voltage_config("[voltage\nv = 0.8\n", "broken.toml"), ConfigError);
  CHECK_THAT(parse_error("[voltage\nv = 0.8\n", "broken.toml"), Contains("broken.toml:1"));
  CHECK_THROWS_WITH(load_voltage_config("/nonexistent/v.toml"), Contains("/nonexistent/v.toml"));

  VoltageConfig cfg;
  cfg.v = 0.35;  // == vth
  CHECK_THROWS_WITH(cfg.validate(), Contains("voltage.v"));
  cfg = VoltageConfig{};
  cfg.clock_ghz = 0;
  CHECK_THROWS_WITH(cfg.validate(), Contains("arch.clock_ghz"));
  cfg = VoltageConfig{};
  cfg.v_nominal = -1;
  CHECK_THROWS_WITH(cfg.validate(), Contains("arch.v_nominal"));
  cfg = VoltageConfig{};
  cfg.vth = 1.0;
  CHECK_THROWS_WITH(cfg.validate(), Contains("voltage.vth"));
}
