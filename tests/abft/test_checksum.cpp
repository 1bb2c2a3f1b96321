// Checksum identity over wrap-around INT32: exact for clean outputs, any single error is seen.
#include <catch2/catch.hpp>

#include <random>

#include "abft/checksum.hpp"
#include "models/gemm/int8_gemm.hpp"

using namespace saffire;

TEST_CASE("Predicted column checksums equal e^T Y, and a single error always changes them", "[unit][abft]") {
  std::mt19937 rng(7);
  const std::int64_t m = 37, n = 23, k = 300;
  std::vector<std::int8_t> x(static_cast<size_t>(m * k)), w(static_cast<size_t>(k * n));
  for (auto& v : x) v = static_cast<std::int8_t>(rng() & 1 ? -128 : 127);
  for (auto& v : w) v = static_cast<std::int8_t>(rng() & 1 ? -128 : 127);
  std::vector<std::int32_t> y(static_cast<size_t>(m * n));
  models::naive_int8_gemm({m, n, k, x.data(), k, w.data(), n, y.data(), n, false});
  const auto predicted = abft::predicted_column_checksums(x.data(), k, w.data(), n, m, n, k);
  CHECK(predicted == abft::column_checksums(y.data(), m, n, n));
  // Flip each bit of one word in turn, including bit 31 (the wrap-around case).
  for (int bit = 0; bit < 32; ++bit) {
    auto bad = y;
    bad[100] = static_cast<std::int32_t>(static_cast<std::uint32_t>(bad[100]) ^ (1u << bit));
    const auto cols = abft::column_checksums(bad.data(), m, n, n);
    CHECK(cols != predicted);
    CHECK(abft::row_checksums(bad.data(), m, n, n) != abft::row_checksums(y.data(), m, n, n));
  }
}
