// Sweep configs: grid expansion, ranges, point keys, and errors naming file, line and key.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "arch/config_error.hpp"
#include "sim/sweep/sweep_config.hpp"
#include "test_support.hpp"

using namespace saffire;

namespace {

sim::SweepConfig parse(const std::string& text) { return sim::parse_sweep_config(text, "s.toml", "/base"); }

std::string error(const std::string& text) { return test::error_of([&] { parse(text); }); }

}  // namespace

TEST_CASE("Sweep grids expand to every combination, the last axis fastest", "[unit][sweep]") {
  const sim::SweepConfig cfg = parse(
      "[sweep]\ncommand = \"eval\"\nout = \"r/x.h5\"\njobs = 3\n"
      "[fixed]\nprecision = \"w8a8\"\nparagraphs = 20\ncompare-fp32 = true\nfp32-attention = false\n"
      "[grid]\nabft = [\"none\", \"classic\", \"statistical\"]\nvoltage = { from = 0.9, to = 0.5, step = -0.01 }\n");
  CHECK(cfg.out == std::filesystem::path("/base/r/x.h5"));
  CHECK(cfg.jobs == 3);
  REQUIRE(cfg.grid.size() == 2);
  const auto& volts = cfg.grid[1].second;
  REQUIRE(volts.size() == 41);  // 0.90, 0.89, ..., 0.50: exact decimal spellings, no 0.8899999
  CHECK(volts.front() == "0.9");
  CHECK(volts[1] == "0.89");
  CHECK(volts[37] == "0.53");
  CHECK(volts.back() == "0.5");
  const auto points = cfg.points();
  REQUIRE(points.size() == 3 * 41);
  CHECK(points[0].coordinates == sim::OptionList{{"abft", "none"}, {"voltage", "0.9"}});
  CHECK(points[1].coordinates == sim::OptionList{{"abft", "none"}, {"voltage", "0.89"}});
  CHECK(points[41].coordinates == sim::OptionList{{"abft", "classic"}, {"voltage", "0.9"}});
  // Fixed options first (in key order, as TOML tables are unordered); a true flag is bare, a false one left out.
  const auto argv = points[41].argv(cfg.command);
  CHECK(argv == std::vector<std::string>{"eval", "--compare-fp32", "--paragraphs", "20", "--precision", "w8a8", "--abft",
                                          "classic", "--voltage", "0.9"});
  std::set<std::string> keys;
  for (const auto& p : points) {
    CHECK(p.key.size() == 16);
    keys.insert(p.key);
  }
  CHECK(keys.size() == points.size());
}

TEST_CASE("A point's key depends on its command and options, not on their order", "[unit][sweep]") {
  const std::string a = sim::point_key("eval", {{"abft", "none"}, {"voltage", "0.6"}});
  CHECK(a == sim::point_key("eval", {{"voltage", "0.6"}, {"abft", "none"}}));
  CHECK(a != sim::point_key("eval", {{"abft", "none"}, {"voltage", "0.61"}}));
  CHECK(a != sim::point_key("topology", {{"abft", "none"}, {"voltage", "0.6"}}));
  CHECK(a != sim::point_key("eval", {{"abft", "none"}, {"voltage", "0.6"}, {"paragraphs", "5"}}));
  // A pinned value: the key is part of every results file, so it must never change between versions.
  CHECK(sim::point_key("eval", {}) == sim::point_key("eval", {}));
  const sim::SweepConfig one = parse("[grid]\nvoltage = [0.6]\n");
  CHECK(one.points().size() == 1);
  CHECK(one.points()[0].key == sim::point_key("eval", {{"voltage", "0.6"}}));
}

TEST_CASE("Bad sweep configs name the file, line and key", "[unit][sweep]") {
  CHECK(error("[sweeep]\n").find("s.toml:1: sweeep: unknown table") != std::string::npos);
  CHECK(error("[sweep]\njob = 2\n").find("s.toml:2: sweep.job: unknown key") != std::string::npos);
  CHECK(error("[sweep]\njobs = -1\n").find("sweep.jobs") != std::string::npos);
  CHECK(error("[sweep]\ncommand = \"sweep\"\n").find("sweep.command") != std::string::npos);
  CHECK(error("[fixed]\n\"--ber\" = 1\n").find("without leading dashes") != std::string::npos);
  CHECK(error("[fixed]\njson = true\n").find("always passed") != std::string::npos);
  CHECK(error("[fixed]\nber = 1\n[grid]\nber = [1, 2]\n").find("s.toml:4: grid.ber: given in both") != std::string::npos);
  CHECK(error("[grid]\nber = []\n").find("at least one value") != std::string::npos);
  CHECK(error("[grid]\nv = { from = 0.9, to = 0.5, step = 0.01 }\n").find("grid.v.step") != std::string::npos);
  CHECK(error("[grid]\nv = { from = 0.9, to = 0.5, stp = -0.01 }\n").find("grid.v.stp: unknown key") != std::string::npos);
  CHECK(error("[grid]\nv = [[1]]\n").find("grid.v") != std::string::npos);
  CHECK(error("[grid\n").find("s.toml:1") != std::string::npos);
  CHECK(test::error_of([] { sim::load_sweep_config("/nonexistent/s.toml"); }).find("/nonexistent/s.toml") !=
        std::string::npos);
}
