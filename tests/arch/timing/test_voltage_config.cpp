// VoltageConfig: the [voltage] TOML table, validation messages naming file, line and key.
#include <catch2/catch.hpp>

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

  const VoltageConfig cfg = parse_voltage_config(
      "[arch]\nrows = 8\n\n[voltage]\nv = 0.72\nsigma = 0\nalpha = 1.5\nchip_seed = 42\nclock_ghz = 2\n", "t.toml");
  CHECK(cfg.v == 0.72);
  CHECK(cfg.sigma == 0.0);  // integer accepted for a number
  CHECK(cfg.alpha == 1.5);
  CHECK(cfg.chip_seed == 42u);
  CHECK(cfg.clock_ghz == 2.0);
  CHECK(cfg.vth == 0.35);  // default kept
  // No [voltage] table: defaults.
  CHECK(parse_voltage_config("[arch]\nrows = 4\n", "t.toml").v == 0.9);
  // Round trip through the resolved-config writer.
  const VoltageConfig again = parse_voltage_config(to_toml(cfg), "again");
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
  CHECK_THROWS_WITH(cfg.validate(), Contains("voltage.clock_ghz"));
  cfg = VoltageConfig{};
  cfg.vth = 1.0;
  CHECK_THROWS_WITH(cfg.validate(), Contains("voltage.vth"));
}
