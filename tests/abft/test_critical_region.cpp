// Tests of the critical-region fit of statistical ABFT (abft/calibrate/critical_region.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "abft/abft_config.hpp"
#include "abft/calibrate/critical_region.hpp"
#include "tests/test_support.hpp"

using namespace saffire;
namespace {

// A grid critical iff log2 freq < a log2 MSD - b and (floor) log2 freq > theta.
std::vector<abft::CriticalPoint> synthetic_grid(double a, double b, double theta, bool floor, double x0, double x1,
                                               double dx, double y0, double y1, double dy) {
  std::vector<abft::CriticalPoint> pts;
  for (double y = y0; y <= y1 + 1e-9; y += dy)
    for (double x = x0; x <= x1 + 1e-9; x += dx)
      pts.push_back({x, y, y < a * x - b && (!floor || y > theta), true});
  return pts;
}

}  // namespace

TEST_CASE("Critical-region fit recovers a known line and floor from a fine synthetic grid", "[abft][calibrate]") {
  const double a = 1.3, b = 20.0, theta = 5.5;
  const auto pts = synthetic_grid(a, b, theta, true, 10, 34, 0.25, 0, 14, 0.25);
  const abft::CriticalFit fit = abft::fit_critical_region(pts);
  INFO(fit.note);
  REQUIRE(fit.ok);
  CHECK_FALSE(fit.slope_unbounded);
  CHECK(fit.misclassified == 0);
  CHECK(std::abs(fit.a - a) < 0.03);
  CHECK(std::abs(fit.b - b) < 0.6);
  for (const double x : {20.0, 24.0, 26.0})  // the line itself, where the grid sees it
    CHECK(std::abs((fit.a * x - fit.b) - (a * x - b)) < 0.15);
  CHECK(fit.theta_freq > theta - 0.01);
  CHECK(fit.theta_freq < theta + 0.26);
  CHECK_FALSE(fit.line_only);
  CHECK(fit.boundary.size() >= 20);
  CHECK(fit.accuracy > 0.98);
}

TEST_CASE("Critical-region fit: ReaLM's constants on the default calibrate grid", "[abft][calibrate]") {
  // log2 MSD 10..34 step 2, log2 freq 0..14 step 1: above the floor, the line crosses columns 22, 24 and 26
  // only, which bound a to (1.25, 1.75): every such line separates the grid, and the fit is their centre.
  const auto pts = synthetic_grid(1.273, 20.076, 5.951, true, 10, 34, 2, 0, 14, 1);
  const abft::CriticalFit fit = abft::fit_critical_region(pts);
  REQUIRE(fit.ok);
  CHECK(fit.misclassified == 0);
  CHECK(fit.accuracy == 1.0);
  CHECK(fit.a > 1.25);
  CHECK(fit.a < 1.75);
  CHECK(std::abs((fit.a * 24 - fit.b) - (1.273 * 24 - 20.076)) < 0.6);
  CHECK(fit.theta_freq == 5.5);  // halfway between freq 2^5 (tolerated) and 2^6 (critical)
  CHECK(fit.boundary.size() == 3);
  // Twice finer in MSD, the same line is pinned down much better.
  const abft::CriticalFit fine = abft::fit_critical_region(synthetic_grid(1.273, 20.076, 5.951, true, 10, 34, 0.5, 0, 14, 1));
  REQUIRE(fine.ok);
  CHECK(std::abs(fine.a - 1.273) < 0.1);
}

TEST_CASE("Critical-region fit: a sensitive component (no floor) is line-only; noise and empty grids", "[abft][calibrate]") {
  auto pts = synthetic_grid(1.1, 12.0, 0, false, 10, 30, 1, 0, 14, 1);
  abft::CriticalFit fit = abft::fit_critical_region(pts);
  REQUIRE(fit.ok);
  CHECK(fit.line_only);
  CHECK(fit.theta_freq < 0);
  CHECK(std::abs(fit.a - 1.1) < 0.06);
  CHECK(std::abs(fit.b - 12.0) < 1.2);
  // A few flipped points far from the line move nothing much: per column the best separation wins.
  for (auto& p : pts)
    if ((p.log2_msd == 28 && p.log2_freq == 3) || (p.log2_msd == 14 && p.log2_freq == 9)) p.critical = !p.critical;
  fit = abft::fit_critical_region(pts);
  REQUIRE(fit.ok);
  CHECK(std::abs(fit.a - 1.1) < 0.08);
  // Points left out of the fit (use = false) do not count.
  for (auto& p : pts) p.use = p.log2_msd != 14;
  fit = abft::fit_critical_region(pts);
  REQUIRE(fit.ok);
  CHECK(std::abs(fit.a - 1.1) < 0.06);
  // Nothing critical: no fit, and a reason.
  for (auto& p : pts) p.critical = false;
  fit = abft::fit_critical_region(pts);
  CHECK_FALSE(fit.ok);
  CHECK(fit.note.find("no critical point") != std::string::npos);
  // Predictions of a fit that failed are all "tolerated".
  CHECK_FALSE(abft::predicted_critical(fit, 30, 0));
}

TEST_CASE("Calibration TOML round-trips through load_abft_config", "[abft][calibrate]") {
  const abft::StatisticalConstants k{1.2345678901234567, 19.876543210987654, 5.5, false};
  const abft::StatisticalConstants o{0.98765432109876543, 13.25, -0.5, true};
  const std::vector<std::pair<models::Component, abft::StatisticalConstants>> tables = {
      {models::Component::K, k}, {models::Component::O, o}};
  const std::vector<std::string> comments = {"saffire calibrate test", "two\nlines"};
  const std::string text = abft::calibration_toml(tables, comments);
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "saffire_calibration_roundtrip.toml";
  {
    std::ofstream f(path);
    f << text;
  }
  const abft::AbftConfig cfg = abft::load_abft_config(path);
  std::filesystem::remove(path);
  CHECK(cfg.scheme == abft::Scheme::parse("statistical"));
  CHECK(cfg.constants_for(models::Component::K) == k);
  CHECK(cfg.constants_for(models::Component::O) == o);
  const auto defaults = abft::AbftConfig::default_constants();
  for (const models::Component c : {models::Component::Q, models::Component::V, models::Component::Down,
                                    models::Component::QK})
    CHECK(cfg.constants_for(c) == defaults[static_cast<std::size_t>(c)]);
  CHECK(text.find("# two lines\n") != std::string::npos);  // a comment stays one comment line
}
