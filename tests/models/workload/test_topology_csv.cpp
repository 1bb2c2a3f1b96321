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

TEST_CASE("SCALE-Sim convolution topologies lower to GEMMs as SCALE-Sim v2 does (by hand)", "[unit][sim]") {
  // Header as in SCALE-Sim's conv_nets/*.csv; rows with and without a trailing comma.
  const auto layers = models::parse_topology_csv(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
      "Conv1,224,224,7,7,3,64,2,\n"   // E = ceil((224 - 7) / 2) + 1 = 110 both ways: M = 12100, K = 7*7*3 = 147
      "Conv2,  56, 56, 3, 3, 64, 64, 1\n"  // E = 54: M = 2916, K = 576
      "Odd,5,7,2,3,4,8,2,\n"         // E_h = ceil(3/2) + 1 = 3 (the last window runs past the edge), E_w = 3
      "FC,1,1,1,1,4096,1000,1,\n",   // a fully connected layer: M = 1, N = 1000, K = 4096
      "conv.csv");
  REQUIRE(layers.size() == 4);
  CHECK(layers[0].name == "Conv1");
  CHECK(layers[0].shape.m == 110 * 110);
  CHECK(layers[0].shape.n == 64);
  CHECK(layers[0].shape.k == 147);
  CHECK(layers[1].shape.m == 54 * 54);
  CHECK(layers[1].shape.k == 3 * 3 * 64);
  CHECK(layers[2].shape.m == 3 * 3);
  CHECK(layers[2].shape.n == 8);
  CHECK(layers[2].shape.k == 2 * 3 * 4);
  CHECK(layers[3].shape.m == 1);
  CHECK(layers[3].shape.n == 1000);
  CHECK(layers[3].shape.k == 4096);

  // Two strides (SCALE-Sim's own writer: Stride height, Stride width); a depthwise layer ("DP" in its name)
  // is one GEMM per channel, each over one channel.
  const auto two = models::parse_topology_csv(
      "Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,Stride height,Stride width,\n"
      "A,9,9,3,3,2,5,2,1,\n"           // E_h = 4, E_w = 7
      "Conv_DP1,8,8,3,3,3,1,1,\n",     // 3 GEMMs of M = 36, N = 1, K = 9
      "two.csv");
  REQUIRE(two.size() == 4);
  CHECK(two[0].shape.m == 4 * 7);
  CHECK(two[0].shape.k == 18);
  for (int c = 0; c < 3; ++c) {
    const auto& l = two[static_cast<std::size_t>(1 + c)];
    CHECK(l.name == "Conv_DP1Channel_" + std::to_string(c));
    CHECK(l.shape.m == 36);
    CHECK(l.shape.n == 1);
    CHECK(l.shape.k == 9);
  }
}

TEST_CASE("Malformed convolution rows are rejected with file, line and field", "[unit][sim]") {
  using Catch::Contains;
  using saffire::test::error_of;
  const std::string head = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";
  std::string msg = error_of([&] { models::parse_topology_csv(head + "a,4,4,5,3,1,1,1,\n", "c.csv"); });
  CHECK_THAT(msg, Contains("c.csv:2"));
  CHECK_THAT(msg, Contains("Filter Height: 5 is larger than IFMAP Height 4"));
  msg = error_of([&] { models::parse_topology_csv(head + "a,4,4,3,3,0,1,1,\n", "c.csv"); });
  CHECK_THAT(msg, Contains("field Channels"));
  msg = error_of([&] { models::parse_topology_csv(head + "a,4,4,3,3,1,1,\n", "c.csv"); });
  CHECK_THAT(msg, Contains("expected 8 fields"));
  msg = error_of([&] { models::parse_topology_csv(head + "DP,4,4,3,3,100000000,1,1,\n", "c.csv"); });
  CHECK_THAT(msg, Contains("one GEMM per channel"));
  msg = error_of([&] { models::parse_topology_csv(head + "a,3037000500,3037000500,1,1,1,1,1,\n", "c.csv"); });
  CHECK_THAT(msg, Contains("c.csv:2"));
  CHECK_THAT(msg, Contains("output pixels"));
}
