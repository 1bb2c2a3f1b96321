// The voltage curve (arch/timing/voltage_curve.hpp): no errors at the nominal supply, errors only where a
// carry chain is late (a late chain into the carry-out is harmless, so late >= errors), more errors at
// lower voltages on the same dot products, and the same numbers on any thread count.
#include <catch2/catch.hpp>

#include <numeric>

#include "arch/array_config.hpp"
#include "arch/timing/voltage_curve.hpp"

namespace saffire::arch {
namespace {

TEST_CASE("Voltage curve: nominal is error free, lower is worse, late >= errors, thread independent",
          "[arch][timing]") {
  VoltageCurveSpec spec;
  spec.base = voltage_defaults(ArrayConfig{});
  spec.voltages = {spec.base.v_nominal, 0.70, 0.64, 0.60};
  spec.rows = 4;
  spec.cols = 3;
  spec.samples = 2;
  spec.threads = 1;
  const std::vector<VoltageCurvePoint> one = measure_voltage_curve(spec);
  spec.threads = 2;
  const std::vector<VoltageCurvePoint> two = measure_voltage_curve(spec);
  REQUIRE(one.size() == 4);
  CHECK(one[0].errors == 0);
  CHECK(one[0].late == 0);
  CHECK(one.back().errors > 0);
  for (std::size_t k = 0; k < one.size(); ++k) {
    INFO("V = " << one[k].v);
    CHECK(one[k].v == spec.voltages[k]);
    CHECK(one[k].checked == 4 * 3 * 2 * kVoltageCurveReduction);
    CHECK(one[k].late >= one[k].errors);
    const std::int64_t bits = std::accumulate(one[k].hist.begin(), one[k].hist.end(), std::int64_t{0});
    CHECK(bits >= one[k].errors);  // an error has one or more wrong bits
    CHECK((bits == 0) == (one[k].errors == 0));
    CHECK(one[k].errors == two[k].errors);
    CHECK(one[k].late == two[k].late);
    CHECK(one[k].hist == two[k].hist);
    if (k > 0) {
      CHECK(one[k].errors >= one[k - 1].errors);
      CHECK(one[k].late >= one[k - 1].late);
      CHECK(one[k].delay_scale > one[k - 1].delay_scale);
    }
  }
}

}  // namespace
}  // namespace saffire::arch
