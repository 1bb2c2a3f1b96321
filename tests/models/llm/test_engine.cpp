// The GemmEngine seam: GemmId names, and the CPU engine against the naive INT8 reference.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "llm_test_support.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/engine/gemm_id.hpp"

using namespace saffire::models;

TEST_CASE("GemmId names round-trip and print compactly", "[unit][engine]") {
  for (int c = 0; c < kNumComponents; ++c) {
    const auto comp = static_cast<Component>(c);
    CHECK(parse_component(to_string(comp)) == comp);
  }
  CHECK(to_string(Component::Gate) == "gate");
  CHECK(parse_stage("decode") == Stage::Decode);
  llm::test::check_error([&] { parse_component("fc1"); }, {"q, k, v, o, gate, up, down, qk, pv"});
  CHECK_THROWS_AS(parse_stage("both"), std::invalid_argument);

  GemmId id;
  id.layer = 0, id.component = Component::Q, id.stage = Stage::Prefill, id.head = -1;
  id.pos_begin = 0, id.pos_end = 5, id.call_index = 3;
  CHECK(to_string(id) == "L0.q.prefill.h-1.p0-5.c3");
  id.layer = 4, id.component = Component::PV, id.stage = Stage::Decode, id.head = 7, id.pos_begin = 9;
  id.pos_end = 10, id.call_index = 1234, id.sequence = 17;
  CHECK(to_string(id) == "L4.pv.decode.h7.p9-10.c1234.s17");
}

TEST_CASE("CpuGemmEngine is exact against the naive kernel, INT8 extremes included", "[unit][engine]") {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> val(-128, 127);
  for (const auto& [m, n, k] : {std::tuple{1, 64, 64}, std::tuple{5, 172, 64}, std::tuple{37, 19, 300}}) {
    std::vector<std::int8_t> x(static_cast<std::size_t>(m * k)), w(static_cast<std::size_t>(k * n));
    for (auto& v : x) v = static_cast<std::int8_t>(val(rng));
    for (auto& v : w) v = static_cast<std::int8_t>(val(rng));
    x[0] = -128, w[0] = -128;
    std::vector<std::int32_t> y(static_cast<std::size_t>(m * n), 7), ref(y.size(), 7);
    Int8GemmArgs a;
    a.m = m, a.n = n, a.k = k, a.x = x.data(), a.ldx = k, a.w = w.data(), a.ldw = n, a.ldy = n;
    a.y = ref.data();
    naive_int8_gemm(a);
    const auto engine = make_cpu_engine("auto", 1);
    CHECK(engine->name() == "cpu");
    a.y = y.data();
    engine->gemm(GemmId{}, a);
    CHECK(y == ref);
  }
  CHECK_THROWS_AS(make_cpu_engine("no-such-kernel"), std::invalid_argument);
  CHECK_THROWS_AS(CpuGemmEngine("auto", -1), std::invalid_argument);
}
