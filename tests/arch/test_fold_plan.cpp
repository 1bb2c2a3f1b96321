// Fold plans and SCALE-Sim cycle counts, checked against hand-worked decompositions.
#include <catch2/catch.hpp>

#include "arch/fold_plan.hpp"

using namespace saffire::arch;

TEST_CASE("WS cycles follow SCALE-Sim: folds * (2R + C + M - 2) - 1", "[unit][arch]") {
  ArrayConfig cfg;
  cfg.rows = 32;
  cfg.cols = 16;
  cfg.dataflow = Dataflow::WS;
  // K=100 -> ceil(100/32)=4 reduction tiles, N=40 -> ceil(40/16)=3 column tiles: 12 folds.
  // Each fold: 2*32 + 16 + 7 - 2 = 85 cycles; total 12*85 - 1 = 1019.
  const CycleReport r = analytical_cycles(cfg, {7, 40, 100});
  CHECK(r.folds == 12);
  CHECK(r.cycles_per_fold == 85);
  CHECK(r.cycles == 1019);
  CHECK(r.macs == 7 * 40 * 100);
  CHECK(r.utilization == Approx(28000.0 / (1019.0 * 512)));
  // Rows: 100 of 128 slots used; columns: 40 of 48.
  CHECK(r.mapping_efficiency == Approx((100.0 / 128) * (40.0 / 48)));
}

TEST_CASE("OS cycles follow SCALE-Sim: folds * (R + C + K - 2) - 1, drain adds R", "[unit][arch]") {
  ArrayConfig cfg;
  cfg.rows = 8;
  cfg.cols = 4;
  cfg.dataflow = Dataflow::OS;
  // M=17 -> 3 row tiles, N=4 -> 1 column tile: 3 folds of 8 + 4 + 5 - 2 = 15 cycles.
  CycleReport r = analytical_cycles(cfg, {17, 4, 5});
  CHECK(r.folds == 3);
  CHECK(r.cycles_per_fold == 15);
  CHECK(r.cycles == 44);
  cfg.os_drain = true;
  r = analytical_cycles(cfg, {17, 4, 5});
  CHECK(r.cycles_per_fold == 23);
  CHECK(r.cycles == 68);
}

TEST_CASE("Fold plan covers every output and reduction index exactly once", "[unit][arch]") {
  for (Dataflow df : {Dataflow::WS, Dataflow::OS}) {
    ArrayConfig cfg;
    cfg.rows = 5;
    cfg.cols = 3;
    cfg.dataflow = df;
    const GemmShape s{11, 7, 13};
    FoldPlan plan(cfg, s);
    const std::int64_t row_dim = df == Dataflow::WS ? s.k : s.m;
    std::vector<int> covered(static_cast<size_t>(row_dim * s.n), 0);
    double occupied = 0;
    for (std::int64_t i = 0; i < plan.count(); ++i) {
      const Fold f = plan.fold(i);
      CHECK(f.index == i);
      occupied += static_cast<double>(f.rows_used * f.cols_used) / (cfg.rows * cfg.cols);
      for (std::int64_t r = 0; r < f.rows_used; ++r)
        for (std::int64_t c = 0; c < f.cols_used; ++c) covered[static_cast<size_t>((f.row0 + r) * s.n + f.col0 + c)]++;
    }
    for (int v : covered) CHECK(v == 1);
    // The closed-form mapping efficiency equals the per-fold average.
    CHECK(analytical_cycles(cfg, s).mapping_efficiency == Approx(occupied / static_cast<double>(plan.count())));
  }
}

TEST_CASE("Invalid shapes are rejected", "[unit][arch]") {
  ArrayConfig cfg;
  CHECK_THROWS_WITH(analytical_cycles(cfg, {0, 4, 4}), Catch::Contains("M"));
  CHECK_THROWS_WITH(analytical_cycles(cfg, {4, -1, 4}), Catch::Contains("N"));
}
