// Topology CSV parsing: SCALE-Sim files parse, malformed rows name file, line and field.
#include <catch2/catch.hpp>

#include "tests/test_support.hpp"

#include "arch/config_error.hpp"
#include "models/workload/topology_csv.hpp"

using namespace saffire;

TEST_CASE("SCALE-Sim GEMM topology files parse, spaces and trailing commas allowed", "[unit][sim]") {
  const auto layers = models::parse_topology_csv("Layer, M, N, K,\nqkv, 128, 2304, 768,\n\nfc1,128,3072,768\n", "t.csv");
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].name == "qkv");
  CHECK(layers[0].shape.m == 128);
  CHECK(layers[0].shape.n == 2304);
  CHECK(layers[0].shape.k == 768);
  CHECK(layers[1].name == "fc1");
  const auto again = models::parse_topology_csv(models::format_topology_csv(layers), "again");
  CHECK(again.size() == 2);
  CHECK(again[1].shape.n == 3072);
}

TEST_CASE("Malformed topology rows are rejected with file, line and field", "[unit][sim]") {
  using Catch::Contains;
  using saffire::test::error_of;
  std::string msg = error_of([] { models::parse_topology_csv("Layer,M,N,K\na,1,0,3\n", "t.csv"); });
  CHECK_THAT(msg, Contains("t.csv:2"));
  CHECK_THAT(msg, Contains("field N"));
  msg = error_of([] { models::parse_topology_csv("Layer,M,N,K\na,1,2\n", "t.csv"); });
  CHECK_THAT(msg, Contains("t.csv:2"));
  CHECK_THAT(msg, Contains("4 fields"));
  CHECK_THROWS_WITH(models::parse_topology_csv("Layer,M,N,K\na,1,x2,3\n", "t.csv"), Contains("field N"));
  CHECK_THROWS_WITH(models::parse_topology_csv("Layer,M,N,K\nb,-4,2,3\n", "t.csv"), Contains("field M"));
  msg = error_of([] { models::parse_topology_csv("Name,A,B\n", "t.csv"); });
  CHECK_THAT(msg, Contains("t.csv:1"));
  CHECK_THAT(msg, Contains("header"));
  CHECK_THROWS_WITH(models::parse_topology_csv("", "t.csv"), Contains("empty"));
  CHECK_THROWS_WITH(models::read_topology_csv("/nonexistent.csv"), Contains("/nonexistent.csv"));
  CHECK_THROWS_AS(models::parse_topology_csv("Layer,M,N,K\n", "t.csv"), ConfigError);
}
