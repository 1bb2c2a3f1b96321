// TomlTableReader: typed getters, ranges, choices, sub-tables and unknown keys, each error naming the
// file, line and full key path. Messages are compared whole, so a changed location or wording fails.
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"
#include "arch/toml_table_reader.hpp"
#include "tests/test_support.hpp"

using saffire::ConfigError;
using saffire::TomlTableReader;
using saffire::test::error_of;

namespace {

enum class Scope { Gemm, Tile, Fold };

// Runs `read` on a reader of the document's [t] table ("t.toml"), then finish(); returns the error, "" if none.
template <typename F>
std::string read_error(const std::string& text, F&& read) {
  return error_of([&] {
    const toml::table doc = saffire::parse_toml(text, "t.toml");
    TomlTableReader root(doc, "t.toml", "");
    TomlTableReader* t = root.table("t");
    REQUIRE(t != nullptr);
    read(*t);
    t->finish();
  });
}

}  // namespace

TEST_CASE("TOML table reader: typed values, defaults, integers for numbers", "[unit][arch]") {
  const toml::table doc = saffire::parse_toml(
      "[t]\nrows = 64\nratio = 2\nscale = 0.5\nname = \"os\"\nflag = true\nseed = 42\nbig = 9000000000\n", "t.toml");
  TomlTableReader root(doc, "t.toml", "");
  TomlTableReader& t = *root.table("t");
  CHECK(t.required<int>("rows") == 64);
  CHECK(t.get_or("ratio", 1.0) == 2.0);  // a TOML integer where a number is expected
  CHECK(t.optional<double>("scale") == 0.5);
  CHECK(t.required<std::string>("name") == "os");
  CHECK(t.get_or("flag", false));
  CHECK(t.get_or("seed", std::uint64_t{1}) == 42u);
  CHECK(t.required<std::int64_t>("big") == 9000000000);
  CHECK(t.get_or("cols", 32) == 32);  // absent: the default
  CHECK_FALSE(t.optional<double>("absent").has_value());
  CHECK(root.table("other") == nullptr);
  CHECK_NOTHROW(t.finish());
  CHECK(t.where("rows") == "t.toml:2: t.rows");
  CHECK(t.where("cols") == "t.toml:1: t.cols");  // absent: the table's line
  CHECK(root.where("t") == "t.toml:1: t");       // the root has no path of its own
}

TEST_CASE("TOML table reader: a missing required key", "[unit][arch]") {
  CHECK(read_error("[t]\ncols = 4\n", [](TomlTableReader& t) {
          (void)t.get_or("cols", 1);
          (void)t.required<int>("rows");
        }) == "t.toml:1: t.rows: required key missing (expected an integer)");
  CHECK(read_error("\n[t]\n", [](TomlTableReader& t) { (void)t.required<double>("v"); }) ==
        "t.toml:2: t.v: required key missing (expected a number)");
}

TEST_CASE("TOML table reader: wrong types", "[unit][arch]") {
  CHECK(read_error("[t]\nrows = \"big\"\n", [](TomlTableReader& t) { (void)t.get_or("rows", 1); }) ==
        "t.toml:2: t.rows: expected an integer, got a string");
  CHECK(read_error("[t]\nv = \"big\"\n", [](TomlTableReader& t) { (void)t.get_or("v", 1.0); }) ==
        "t.toml:2: t.v: expected a number, got a string");
  CHECK(read_error("[t]\nflag = 1\n", [](TomlTableReader& t) { (void)t.get_or("flag", false); }) ==
        "t.toml:2: t.flag: expected true or false, got an integer");
  CHECK(read_error("[t]\nname = [1]\n", [](TomlTableReader& t) { (void)t.optional<std::string>("name"); }) ==
        "t.toml:2: t.name: expected a string, got an array");
  CHECK(read_error("[t]\nsub = 3\n", [](TomlTableReader& t) { (void)t.table("sub"); }) ==
        "t.toml:2: t.sub: must be a table ([t.sub])");
}

TEST_CASE("TOML table reader: a float where an integer is expected", "[unit][arch]") {
  CHECK(read_error("[t]\nrows = 4.0\n", [](TomlTableReader& t) { (void)t.get_or("rows", 1); }) ==
        "t.toml:2: t.rows: expected an integer, got a float");
  CHECK(read_error("[t]\n\nseed = 1.5\n", [](TomlTableReader& t) { (void)t.get_or("seed", std::uint64_t{1}); }) ==
        "t.toml:3: t.seed: expected an integer, got a float");
}

TEST_CASE("TOML table reader: integer and number ranges", "[unit][arch]") {
  using saffire::in_range, saffire::non_negative, saffire::positive;
  // Beyond the target type: int is 32 bits, std::uint64_t has no negatives.
  CHECK(read_error("[t]\nrows = 3000000000\n", [](TomlTableReader& t) { (void)t.get_or("rows", 1); }) ==
        "t.toml:2: t.rows: expected an integer in [-2147483648, 2147483647], got 3000000000");
  CHECK(read_error("[t]\nseed = -1\n", [](TomlTableReader& t) { (void)t.get_or("seed", std::uint64_t{1}); }) ==
        "t.toml:2: t.seed: expected a non-negative integer, got -1");
  // Explicit ranges, at both ends.
  const auto jobs = [](TomlTableReader& t) { (void)t.get_or("jobs", 0, in_range(0, 4096)); };
  CHECK(read_error("[t]\njobs = 4097\n", jobs) == "t.toml:2: t.jobs: expected an integer in [0, 4096], got 4097");
  CHECK(read_error("[t]\njobs = -1\n", jobs) == "t.toml:2: t.jobs: expected an integer in [0, 4096], got -1");
  CHECK(read_error("[t]\njobs = 4096\n", jobs).empty());
  CHECK(read_error("[t]\nn = 0\n", [](TomlTableReader& t) { (void)t.get_or("n", 1, positive<int>()); }) ==
        "t.toml:2: t.n: expected a positive integer, got 0");
  CHECK(read_error("[t]\nn = -2\n", [](TomlTableReader& t) { (void)t.get_or("n", 1, non_negative<int>()); }) ==
        "t.toml:2: t.n: expected a non-negative integer, got -2");
  const auto area = [](TomlTableReader& t) { (void)t.get_or("area", 1.0, positive<double>()); };
  CHECK(read_error("[t]\narea = 0\n", area) == "t.toml:2: t.area: expected a positive number, got 0");
  CHECK(read_error("[t]\narea = -0.05\n", area) == "t.toml:2: t.area: expected a positive number, got -0.05");
  CHECK(read_error("[t]\narea = 1e-9\n", area).empty());
  CHECK(read_error("[t]\nsigma = 0.25\n", [](TomlTableReader& t) {
          (void)t.get_or("sigma", 0.0, in_range(0.0, 0.1));
        }) == "t.toml:2: t.sigma: expected a number in [0, 0.1], got 0.25");
  // Numbers are finite, whatever the range.
  CHECK(read_error("[t]\nv = nan\n", [](TomlTableReader& t) { (void)t.get_or("v", 1.0); }) ==
        "t.toml:2: t.v: expected a finite number, got nan");
  CHECK(read_error("[t]\nv = -inf\n", [](TomlTableReader& t) { (void)t.get_or("v", 1.0); }) ==
        "t.toml:2: t.v: expected a finite number, got -inf");
}

TEST_CASE("TOML table reader: unknown keys name their line and the known keys", "[unit][arch]") {
  const auto arch = [](TomlTableReader& t) {
    (void)t.get_or("rows", 1);
    (void)t.get_or("cols", 1);
  };
  CHECK(read_error("[t]\nrows = 4\n\ncolz = 3\n", arch) ==
        "t.toml:4: t.colz: unknown key (expected one of rows, cols)");
  // Every unknown key, in file order (the table itself iterates alphabetically).
  CHECK(read_error("[t]\nzeta = 1\nrows = 4\nalpha = 2\n", arch) ==
        "t.toml:2: t.zeta: unknown key (expected one of rows, cols)\n"
        "t.toml:4: t.alpha: unknown key (expected one of rows, cols)");
  CHECK(read_error("[t]\nrows = 4\n[t.extra]\nx = 1\n", arch) ==
        "t.toml:3: t.extra: unknown table (expected one of rows, cols)");
  // Keys read through node() or table() are known too.
  CHECK(read_error("[t]\nraw = [1, 2]\n", [](TomlTableReader& t) { (void)t.node("raw"); }).empty());
}

TEST_CASE("TOML table reader: a string that must be one of a list", "[unit][arch]") {
  Scope got = Scope::Gemm;
  const auto scope = [&](TomlTableReader& t) {
    got = t.choice_or("scope", Scope::Gemm, {{"gemm", Scope::Gemm}, {"tile", Scope::Tile}, {"fold", Scope::Fold}});
  };
  CHECK(read_error("[t]\nscope = \"tile\"\n", scope).empty());
  CHECK(got == Scope::Tile);
  CHECK(read_error("[t]\n", scope).empty());
  CHECK(got == Scope::Gemm);  // absent: the fallback
  CHECK(read_error("[t]\nscope = \"layer\"\n", scope) ==
        "t.toml:2: t.scope: expected \"gemm\", \"tile\" or \"fold\", got \"layer\"");
  CHECK(read_error("[t]\nscope = \"Tile\"\n", scope) ==  // compared exactly
        "t.toml:2: t.scope: expected \"gemm\", \"tile\" or \"fold\", got \"Tile\"");
  CHECK(read_error("[t]\nscope = 1\n", scope) == "t.toml:2: t.scope: expected a string, got an integer");
  std::optional<int> recover_at;
  const auto recover = [&](TomlTableReader& t) {
    recover_at = t.choice<int>("recover_at", {{"nominal", 0}, {"same-voltage", 1}});
  };
  CHECK(read_error("[t]\n", recover).empty());
  CHECK_FALSE(recover_at.has_value());
  CHECK(read_error("[t]\nrecover_at = \"same-voltage\"\n", recover).empty());
  CHECK(recover_at == 1);
  CHECK(read_error("[t]\nrecover_at = \"low\"\n", recover) ==
        "t.toml:2: t.recover_at: expected \"nominal\" or \"same-voltage\", got \"low\"");
}

TEST_CASE("TOML table reader: nested tables carry the full key path", "[unit][arch]") {
  const auto constants = [](TomlTableReader& t) {
    TomlTableReader* component = t.table("component");
    REQUIRE(component != nullptr);
    for (const std::string& name : component->keys()) {
      TomlTableReader& c = *component->table(name);
      (void)c.get_or("a", 1.0);
      (void)c.get_or("b", 1.0);
    }
  };
  CHECK(read_error("[t.component.k]\na = 2\n[t.component.q]\nb = 3\n", constants).empty());
  CHECK(read_error("[t.component.k]\na = \"x\"\n", constants) ==
        "t.toml:2: t.component.k.a: expected a number, got a string");
  // The parent's finish() covers its sub-tables.
  CHECK(read_error("[t.component.k]\na = 2\n[t.component.q]\nc = 1\n", constants) ==
        "t.toml:4: t.component.q.c: unknown key (expected one of a, b)");
  CHECK(read_error("[t.component]\nk = 3\n", constants) ==
        "t.toml:2: t.component.k: must be a table ([t.component.k])");
  // Inline tables are tables too.
  CHECK(read_error("[t]\ncomponent = { k = { a = 1, bb = 2 } }\n", constants) ==
        "t.toml:2: t.component.k.bb: unknown key (expected one of a, b)");
}

TEST_CASE("TOML table reader: a struct's validate() errors get the file and the key's line", "[unit][arch]") {
  const toml::table doc = saffire::parse_toml("[t]\nrows = 4\n\n[t.component.k]\na = -1\n", "t.toml");
  TomlTableReader root(doc, "t.toml", "");
  TomlTableReader& t = *root.table("t");
  const auto fails_with = [&](const std::string& msg) {
    return error_of([&] { t.validate([&] { throw ConfigError(msg); }); });
  };
  CHECK(fails_with("t.rows: expected at most 2, got 4") == "t.toml:2: t.rows: expected at most 2, got 4");
  CHECK(fails_with("t.component.k: expected a > 0") == "t.toml:4: t.component.k: expected a > 0");
  CHECK(fails_with("t.component.k.a: expected a > 0") == "t.toml:5: t.component.k.a: expected a > 0");
  CHECK(fails_with("t.cols: expected at most 2") == "t.toml: t.cols: expected at most 2");  // not in the file
  CHECK(fails_with("other.rows: bad") == "t.toml: other.rows: bad");                        // another table's key
  CHECK(error_of([&] { t.validate([] {}); }).empty());
}
