// The `table` fault model: CSV parsing with clear errors, interpolation between voltages, and
// sampled bits that follow the table's per-bit probabilities.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <initializer_list>
#include <string>

#include "arch/config_error.hpp"
#include "sim/faults/bit_error_table.hpp"
#include "sim/faults/bitflip_fault.hpp"
#include "test_support.hpp"

using namespace saffire;

namespace {

const char* kTable =
    "# per-word flip probabilities of a made-up chip\n"
    "voltage,bit,probability\n"
    "0.70,18,1e-6\n"
    "0.70,20,0\n"
    "0.60,18,1e-4\n"
    "0.60,20,4e-4\n"
    "0.60,30,5e-4\n";

std::string error_of(const std::string& csv) {
  try {
    faults::BitErrorTable::parse(csv, "t.csv");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// True when `text` contains every one of `parts` (plain checks: Catch2 v2's combined matchers
// keep pointers to temporaries, which AddressSanitizer reports).
bool has(const std::string& text, std::initializer_list<const char*> parts) {
  for (const char* p : parts)
    if (text.find(p) == std::string::npos) return false;
  return true;
}

}  // namespace

TEST_CASE("Bit error table: tabulated voltages and log-linear interpolation", "[unit][fault][table]") {
  const auto t = faults::BitErrorTable::parse(kTable, "t.csv");
  CHECK(t.voltages() == std::vector<double>{0.6, 0.7});
  const auto p70 = t.probabilities_at(0.7);
  CHECK(p70[18] == 1e-6);
  CHECK(p70[20] == 0.0);
  CHECK(p70[0] == 0.0);
  // Halfway between 1e-6 and 1e-4 in log: 1e-5. Bit 20 has a zero end: linear, 2e-4. Bit 30 is not
  // listed at 0.70 (0): linear, 2.5e-4.
  const auto p65 = t.probabilities_at(0.65);
  CHECK(p65[18] == Approx(1e-5).epsilon(1e-9));
  CHECK(p65[20] == Approx(2e-4).epsilon(1e-9));
  CHECK(p65[30] == Approx(2.5e-4).epsilon(1e-9));
  CHECK(has(test::error_of([&] { t.probabilities_at(0.8); }), {"t.csv", "outside the table"}));
  CHECK(has(test::error_of([&] { t.probabilities_at(0.5); }), {"outside the table"}));

  const faults::BitflipConfig cfg = t.bitflip_config(0.6, 5);
  CHECK(cfg.ber == Approx(1e-3));
  REQUIRE(cfg.bit_weights.size() == 32);
  CHECK(cfg.bit_weights[30] == 5e-4);
  CHECK_NOTHROW(cfg.validate());
}

TEST_CASE("Bit error table: malformed files name the file, line and field", "[unit][fault][table]") {
  CHECK(has(error_of("v,b,p\n"), {"t.csv:1", "header"}));
  CHECK(has(error_of("voltage,bit,probability\n0.7,3\n"), {"t.csv:2", "3 fields"}));
  CHECK(has(error_of("voltage,bit,probability\n0.7,32,0.1\n"), {"t.csv:2", "bit"}));
  CHECK(has(error_of("voltage,bit,probability\n0.7,3.5,0.1\n"), {"bit"}));
  CHECK(has(error_of("voltage,bit,probability\n0.7,3,1.5\n"), {"probability"}));
  CHECK(has(error_of("voltage,bit,probability\nx,3,0.1\n"), {"voltage", "'x'"}));
  CHECK(has(error_of("voltage,bit,probability\n0.7,3,0.1\n0.7,3,0.2\n"), {"t.csv:3", "twice"}));
  CHECK(has(error_of("voltage,bit,probability\n0.7,3,0.6\n0.7,4,0.6\n"), {"sum to"}));
  CHECK(has(error_of("voltage,bit,probability\n"), {"no rows"}));
  CHECK(has(error_of(""), {"empty"}));
  CHECK(has(test::error_of([&] { faults::BitErrorTable::load("/nonexistent/chip.csv"); }), {"/nonexistent/chip.csv"}));
}

TEST_CASE("Table-model faults follow the per-bit probabilities", "[unit][fault][table]") {
  const auto t = faults::BitErrorTable::parse(kTable, "t.csv");
  faults::BitflipConfig cfg = t.bitflip_config(0.6, 11);
  const std::int64_t m = 2000, n = 1000;  // 2e6 words at 1e-3: ~2000 faults
  const auto faults = faults::sample_output_faults(cfg, 3, m, n);
  std::array<double, 32> count{};
  for (const auto& f : faults) count[static_cast<std::size_t>(f.bit)] += 1;
  const double words = static_cast<double>(m * n);
  // Expected counts 200 / 800 / 1000 (bits 18 / 20 / 30); 5 standard deviations of a Poisson count.
  for (int j : {18, 20, 30}) {
    const double expected = words * cfg.bit_weights[static_cast<std::size_t>(j)];
    INFO("bit " << j);
    CHECK(std::abs(count[static_cast<std::size_t>(j)] - expected) < 5 * std::sqrt(expected));
  }
  double others = 0;
  for (int j = 0; j < 32; ++j)
    if (j != 18 && j != 20 && j != 30) others += count[static_cast<std::size_t>(j)];
  CHECK(others == 0);
  // Counter-based: the same seed and GEMM give the same faults.
  const auto again = faults::sample_output_faults(cfg, 3, m, n);
  REQUIRE(again.size() == faults.size());
  for (std::size_t i = 0; i < faults.size(); ++i) CHECK((again[i].m == faults[i].m && again[i].bit == faults[i].bit));
  cfg.bit_weights.resize(5);
  CHECK_THROWS_AS(cfg.validate(), ConfigError);
}
