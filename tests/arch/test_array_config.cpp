// ArrayConfig parsing and validation: good files parse, bad ones name the file, line and key.
#include <catch2/catch.hpp>

#include "tests/test_support.hpp"

#include "arch/array_config_file.hpp"
#include "arch/config_error.hpp"

using namespace saffire::arch;
using saffire::ConfigError;

TEST_CASE("TOML [arch] table is read, defaults kept for missing keys", "[unit][arch]") {
  const ArrayConfig cfg = parse_array_config("[arch]\nrows = 64\ndataflow = \"OS\"\nclock_ghz = 2\n", "t.toml");
  CHECK(cfg.rows == 64);
  CHECK(cfg.cols == 32);
  CHECK(cfg.dataflow == Dataflow::OS);
  CHECK(cfg.clock_ghz == 2.0);
  CHECK(cfg.v_nominal == 0.9);  // the default nominal supply
  // Round trip through the resolved-config writer.
  const ArrayConfig again = parse_array_config(to_toml(cfg), "again");
  CHECK(again.rows == 64);
  CHECK(again.dataflow == Dataflow::OS);
  CHECK(again.clock_ghz == 2.0);
}

TEST_CASE("The run's one nominal supply and clock are [arch] keys", "[unit][arch]") {
  const ArrayConfig d;
  CHECK(d.v_nominal == 0.9);
  CHECK(d.clock_ghz == 1.0);
  const ArrayConfig cfg = parse_array_config("[arch]\nv_nominal = 0.8\nclock_ghz = 1.25\n", "t.toml");
  CHECK(cfg.v_nominal == 0.8);
  CHECK(cfg.clock_ghz == 1.25);
  CHECK(cfg.period_ps() == 800.0);
  const std::string text = to_toml(cfg);
  CHECK_THAT(text, Catch::Contains("v_nominal = 0.8\n"));
  CHECK_THAT(text, Catch::Contains("clock_ghz = 1.25\n"));
  const ArrayConfig again = parse_array_config(text, "again");
  CHECK(again.v_nominal == cfg.v_nominal);
  CHECK(again.clock_ghz == cfg.clock_ghz);
  // Shortest round trip, not 6 significant digits.
  ArrayConfig odd;
  odd.v_nominal = 0.812345678901;
  CHECK(parse_array_config(to_toml(odd), "odd").v_nominal == odd.v_nominal);

  const std::string msg = saffire::test::error_of([&] { (void)parse_array_config("[arch]\n\nv_nominal = 0\n", "bad.toml"); });
  CHECK_THAT(msg, Catch::Contains("bad.toml:3"));
  CHECK_THAT(msg, Catch::Contains("arch.v_nominal"));
  CHECK_THROWS_WITH(parse_array_config("[arch]\nv_nominal = 9\n", "bad.toml"), Catch::Contains("arch.v_nominal"));
  CHECK_THROWS_WITH(parse_array_config("[arch]\nv_nominal = \"high\"\n", "bad.toml"), Catch::Contains("expected a number"));
}

TEST_CASE("Bad config values get errors naming file, line and key", "[unit][arch]") {
  {
    const std::string msg = saffire::test::error_of([&] { (void)parse_array_config("[arch]\nrows = 0\n", "bad.toml"); });
    CHECK_THAT(msg, Catch::Contains("bad.toml"));
    CHECK_THAT(msg, Catch::Contains("arch.rows"));
  }
  {
    const std::string msg = saffire::test::error_of([&] { (void)parse_array_config("[arch]\n\ndataflow = \"is\"\n", "bad.toml"); });
    CHECK_THAT(msg, Catch::Contains("bad.toml:3"));
    CHECK_THAT(msg, Catch::Contains("dataflow"));
  }
  CHECK_THROWS_WITH(parse_array_config("[arch]\nrowz = 3\n", "bad.toml"), Catch::Contains("unknown key"));
  CHECK_THROWS_WITH(parse_array_config("[arch]\nrows = \"big\"\n", "bad.toml"), Catch::Contains("expected an integer"));
  CHECK_THROWS_AS(parse_array_config("[arch\nrows = 3\n", "broken.toml"), ConfigError);
  CHECK_THROWS_WITH(load_array_config("/nonexistent/x.toml"), Catch::Contains("/nonexistent/x.toml"));
}

TEST_CASE("[arch] number formats: operand_type, accumulator_type, output_buffer_type, fma", "[unit][arch]") {
  const ArrayConfig def = parse_array_config("[arch]\nrows = 4\n", "t.toml");
  CHECK(def.numerics.is_int8());
  CHECK(def.numerics.accumulator == NumberFormat::Int32);
  const ArrayConfig bf = parse_array_config("[arch]\noperand_type = \"bf16\"\n", "t.toml");
  CHECK(bf.numerics.operand == NumberFormat::Bf16);
  CHECK(bf.numerics.accumulator == NumberFormat::Fp32);  // a float operand brings fp32 accumulators
  CHECK(bf.numerics.output_buffer == NumberFormat::Fp32);
  CHECK(bf.operand_bits == 16);
  const ArrayConfig cheap = parse_array_config(
      "[arch]\noperand_type = \"fp8-e4m3\"\naccumulator_type = \"fp16\"\nfma = false\noutput_buffer_type = \"fp32\"\n",
      "t.toml");
  CHECK(cheap.numerics.accumulator == NumberFormat::Fp16);
  CHECK(cheap.numerics.output_buffer == NumberFormat::Fp32);
  CHECK_FALSE(cheap.numerics.fma);
  const ArrayConfig again = parse_array_config(to_toml(cheap), "again");
  CHECK(again.numerics.operand == cheap.numerics.operand);
  CHECK(again.numerics.accumulator == cheap.numerics.accumulator);
  CHECK(again.numerics.output_buffer == cheap.numerics.output_buffer);
  CHECK(again.numerics.fma == cheap.numerics.fma);

  const auto error = [](const char* text) {
    return saffire::test::error_of([&] { (void)parse_array_config(text, "bad.toml"); });
  };
  CHECK_THAT(error("[arch]\n\noperand_type = \"fp12\"\n"), Catch::Contains("bad.toml:3"));
  CHECK_THAT(error("[arch]\n\noperand_type = \"fp12\"\n"), Catch::Contains("arch.operand_type"));
  CHECK_THAT(error("[arch]\noperand_type = \"fp8-e4m3\"\naccumulator_type = \"int32\"\n"),
             Catch::Contains("arch.accumulator_type"));
  CHECK_THAT(error("[arch]\naccumulator_type = \"fp32\"\n"), Catch::Contains("arch.accumulator_type"));  // int8 operands
  CHECK_THAT(error("[arch]\noperand_type = \"bf16\"\noperand_bits = 8\n"), Catch::Contains("arch.operand_bits"));
  CHECK_THAT(error("[arch]\noperand_type = \"bf16\"\nfma = 1\n"), Catch::Contains("arch.fma"));
}
