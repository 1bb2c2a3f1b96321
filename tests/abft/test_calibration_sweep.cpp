// The calibration sweep (abft/calibrate/calibration_sweep.hpp): the grid axes and point statuses from
// their closed forms, and a small sweep on stories260K whose clean run matches an independent clean
// evaluation, whose injected error counts are freq per targeted GEMM, and whose result does not depend
// on the number of threads.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "abft/calibrate/calibration_sweep.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/transformer.hpp"
#include "tests/models/llm/llm_test_support.hpp"

namespace saffire::abft {
namespace {

TEST_CASE("Calibration grid axes: inclusive steps and clear errors", "[abft][calibrate]") {
  CHECK(grid_axis(10, 14, 2, "msd") == std::vector<double>{10, 12, 14});
  CHECK(grid_axis(0, 1, 0.25, "freq") == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK(grid_axis(3, 3, 1, "msd") == std::vector<double>{3});
  models::llm::test::check_error([] { grid_axis(4, 2, 1, "msd"); }, {"--msd-from", "from <= to"});
  models::llm::test::check_error([] { grid_axis(0, 2, 0, "freq"); }, {"--freq-step", "step > 0"});
  models::llm::test::check_error([] { grid_axis(0, std::nan(""), 1, "msd"); }, {"--msd-from"});
  models::llm::test::check_error([] { grid_axis(0, 1e6, 1e-3, "msd"); }, {"at most 1000"});
}

TEST_CASE("Calibration grid statuses follow magnitude = round(MSD / freq)", "[abft][calibrate]") {
  // Columns log2 MSD 0, 2, 33; rows log2 freq 0, 1, 3 (freq 1, 2, 8).
  const std::vector<CalibrationPoint> g = calibration_grid({0, 2, 33}, {0, 1, 3});
  REQUIRE(g.size() == 9);
  const auto at = [&](int row, int col) { return g[static_cast<std::size_t>(row * 3 + col)]; };
  // MSD 1: freq 1 -> magnitude 1 (exact); freq 2 -> llround(0.5) = 1, MSD 2 is 100 % off -> rounded;
  // freq 8 -> llround(0.125) = 0 -> zero.
  CHECK(at(0, 0).status == PointStatus::Ok);
  CHECK(at(0, 0).magnitude == 1);
  CHECK(at(1, 0).status == PointStatus::Rounded);
  CHECK(at(2, 0).status == PointStatus::Zero);
  // MSD 4: freq 1, 2 exact; freq 8 -> llround(0.5) = 1, 8 instead of 4 -> rounded.
  CHECK(at(0, 1).status == PointStatus::Ok);
  CHECK(at(1, 1).magnitude == 2);
  CHECK(at(2, 1).status == PointStatus::Rounded);
  // MSD 2^33: 2^33 and 2^32 exceed INT32_MAX (infeasible); 2^30 fits.
  CHECK(at(0, 2).status == PointStatus::Infeasible);
  CHECK(at(1, 2).status == PointStatus::Infeasible);
  CHECK(at(2, 2).status == PointStatus::Ok);
  CHECK(at(2, 2).magnitude == (std::int64_t{1} << 30));
  for (const CalibrationPoint& p : g) CHECK(p.log2_freq == std::log2(static_cast<double>(p.freq)));
  CHECK(point_status_name(PointStatus::Capped) == "capped");
}

TEST_CASE("Calibration sweep on stories260K: clean run, error counts, thread independence", "[abft][calibrate]") {
  namespace llm = models::llm;
  if (!llm::test::have_file(llm::test::shared_file("stories260K.bin")) ||
      !llm::test::have_file(llm::test::shared_file("tinystories_val.txt")))
    return;
  const llm::LanguageModel lm = llm::load_language_model(llm::test::shared_file("stories260K.bin").string(),
                                                         llm::test::shared_file("tok512.bin").string());
  const std::string text = llm::read_file(llm::test::shared_file("tinystories_val.txt"));
  llm::PerplexityOptions po;
  po.ctx = 24;
  po.paragraphs = 1;
  CalibrationSpec spec;
  spec.log2_msd = {12, 24};
  spec.log2_freq = {0, 2};
  spec.targeting.components.reset();
  spec.targeting.components.set(static_cast<std::size_t>(models::Component::K));
  const auto cpu = [] { return std::make_unique<models::CpuGemmEngine>(); };

  spec.jobs = 1;
  const CalibrationResult one = run_calibration(spec, lm, text, po, cpu);
  spec.jobs = 2;
  const CalibrationResult two = run_calibration(spec, lm, text, po, cpu);
  // What `saffire calibrate` loads: the projections left in the mapped file, quantized from its rows.
  const llm::LanguageModel mapped_lm =
      llm::load_language_model(llm::test::shared_file("stories260K.bin").string(),
                               llm::test::shared_file("tok512.bin").string(), llm::WeightStorage::MappedProjections);
  REQUIRE_FALSE(mapped_lm.checkpoint.has_fp32_projections());
  const CalibrationResult mapped = run_calibration(spec, mapped_lm, text, po, cpu);
  CHECK(mapped.clean.ppl == one.clean.ppl);

  // The clean run is a plain W8A8 evaluation.
  llm::InferenceOptions inf;
  inf.precision = llm::Precision::W8A8;
  models::CpuGemmEngine engine;
  llm::Transformer clean(lm.checkpoint, inf, &engine);
  CHECK(one.clean.ppl == llm::evaluate_perplexity(clean, lm.tokenizer, text, po).ppl);

  REQUIRE(one.grid.size() == 4);
  CHECK(one.points_run == 4);
  CHECK(two.jobs == 2);
  const std::int64_t k_gemms = lm.checkpoint.config().n_layers * static_cast<std::int64_t>(po.ctx);  // one per token
  for (std::size_t i = 0; i < one.grid.size(); ++i) {
    const CalibrationPoint& a = one.grid[i];
    INFO("point " << i);
    CHECK(a.ppl == two.grid[i].ppl);
    CHECK(a.ppl == mapped.grid[i].ppl);
    CHECK(a.totals.errors == mapped.grid[i].totals.errors);
    CHECK(a.critical == two.grid[i].critical);
    CHECK(a.totals.errors == two.grid[i].totals.errors);
    CHECK(a.degradation == a.ppl - one.clean.ppl);
    CHECK(a.critical == (!std::isfinite(a.ppl) || a.degradation > spec.tolerance));
    CHECK(a.totals.gemms > 0);
    CHECK(a.totals.gemms <= k_gemms);
    CHECK(a.totals.errors <= a.freq * a.totals.gemms);  // freq per GEMM, fewer only where capped
    if (a.totals.capped_gemms == 0) CHECK(a.totals.errors == a.freq * a.totals.gemms);
  }
  CHECK(one.fit.ok == two.fit.ok);
  CHECK(one.fit.a == two.fit.a);
}

}  // namespace
}  // namespace saffire::abft
