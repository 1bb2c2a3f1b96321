// Quantization helpers against closed forms: abs-max scales, half-to-even rounding, clamping, round-trip error.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "llm_test_support.hpp"
#include "models/llm/quantize.hpp"
#include "models/llm/transformer.hpp"

using namespace saffire::models::llm;

TEST_CASE("abs-max scale and single values", "[unit][llm][quant]") {
  CHECK(absmax_scale(127.0f) == 1.0f);
  CHECK(absmax_scale(2.54f) == Approx(0.02f));
  CHECK(absmax_scale(0.0f) == kMinAbsMax / 127.0f);  // all-zero rows: floor, no division by zero
  CHECK(quantize_value(2.5f, 1.0f) == 2);            // half to even, like torch.round
  CHECK(quantize_value(3.5f, 1.0f) == 4);
  CHECK(quantize_value(-2.5f, 1.0f) == -2);
  CHECK(quantize_value(-0.4f, 1.0f) == 0);
  CHECK(quantize_value(200.0f, 1.0f) == 127);  // clamp to +-q_max (never -128)
  CHECK(quantize_value(-200.0f, 1.0f) == -127);
  CHECK(quantize_value(1.0f, 0.25f) == 4);
}

TEST_CASE("per-row, per-column and per-tensor scales follow abs-max / 127", "[unit][llm][quant]") {
  // (2, 4) row-major
  const std::vector<float> x = {127.0f, -63.5f, 2.5f, 0.4f,  //
                                -12.7f, 6.3f,   0.0f, 1.27f};
  std::vector<std::int8_t> q(8);
  std::vector<float> s(4);

  quantize_matrix(x.data(), 2, 4, 4, 1, ScaleAxis::Row, q.data(), 4, s.data());
  CHECK(s[0] == 1.0f);
  CHECK(s[1] == Approx(0.1f));
  CHECK(std::vector<int>(q.begin(), q.begin() + 4) == std::vector<int>{127, -64, 2, 0});
  CHECK(std::vector<int>(q.begin() + 4, q.end()) == std::vector<int>{-127, 63, 0, 13});

  quantize_matrix(x.data(), 2, 4, 4, 1, ScaleAxis::Column, q.data(), 4, s.data());
  CHECK(s[0] == 1.0f);                    // max(|127|, |-12.7|) / 127
  CHECK(s[1] == Approx(63.5f / 127.0f));  // 0.5
  CHECK(s[2] == Approx(2.5f / 127.0f));
  CHECK(s[3] == Approx(1.27f / 127.0f));  // 0.01
  CHECK(std::vector<int>(q.begin(), q.end()) == std::vector<int>{127, -127, 127, 40, -13, 13, 0, 127});

  quantize_matrix(x.data(), 2, 4, 4, 1, ScaleAxis::Tensor, q.data(), 4, s.data());
  CHECK(s[0] == 1.0f);
  CHECK(std::vector<int>(q.begin(), q.end()) == std::vector<int>{127, -64, 2, 0, -13, 6, 0, 1});

  // A transposed view through strides: X^T (4, 2) per column == X per row.
  std::vector<std::int8_t> qt(8);
  quantize_matrix(x.data(), 4, 2, 1, 4, ScaleAxis::Column, qt.data(), 2, s.data());
  CHECK(s[0] == 1.0f);
  CHECK(s[1] == Approx(0.1f));
  CHECK(std::vector<int>(qt.begin(), qt.end()) == std::vector<int>{127, -127, -64, 63, 2, 0, 0, 13});
}

TEST_CASE("round-trip error is at most half a scale step", "[unit][llm][quant]") {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  const int rows = 17, cols = 33;
  std::vector<float> x(rows * cols);
  for (auto& v : x) v = dist(rng);
  x[5] = 40.0f;  // an outlier in row 0
  std::vector<std::int8_t> q(x.size());
  std::vector<float> s(cols);
  for (const ScaleAxis axis : {ScaleAxis::Row, ScaleAxis::Column, ScaleAxis::Tensor}) {
    quantize_matrix(x.data(), rows, cols, cols, 1, axis, q.data(), cols, s.data());
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < cols; ++j) {
        const float sc = axis == ScaleAxis::Row ? s[i] : axis == ScaleAxis::Column ? s[j] : s[0];
        const float back = q[i * cols + j] * sc;
        // |x - q s| <= s/2 (plus float rounding of x / s)
        CHECK(std::abs(back - x[i * cols + j]) <= sc * 0.5f * (1.0f + 1e-5f));
      }
    }
  }
}

TEST_CASE("quantize_linear stores W^T with per-output-channel scales", "[unit][llm][quant]") {
  // W (out = 3, in = 2) as llama2.c stores it: y = W x.
  const std::vector<float> w = {0.5f, -2.0f,  //
                                0.5f, 0.2f,   //
                                0.0f, 0.0f};
  const QuantizedLinear pc = quantize_linear(w.data(), 3, 2, WeightGranularity::PerChannel);
  CHECK(pc.k == 2);
  CHECK(pc.n == 3);
  REQUIRE(pc.scales.size() == 3u);
  CHECK(pc.scales[0] == Approx(2.0f / 127));
  CHECK(pc.scales[1] == Approx(0.5f / 127));
  CHECK(pc.scales[2] == kMinAbsMax / 127);
  // (in, out) layout: row i holds input feature i of every output channel.
  CHECK(std::vector<int>(pc.q.begin(), pc.q.end()) == std::vector<int>{32, 127, 0, -127, 51, 0});
  const QuantizedLinear pt = quantize_linear(w.data(), 3, 2, WeightGranularity::PerTensor);
  REQUIRE(pt.scales.size() == 1u);
  CHECK(pt.scales[0] == Approx(2.0f / 127));
  CHECK(std::vector<int>(pt.q.begin(), pt.q.end()) == std::vector<int>{32, 32, 0, -127, 13, 0});
}

TEST_CASE("dequantize applies row and column scales, or adds to the output", "[unit][llm][quant]") {
  const std::vector<std::int32_t> acc = {10, -20, 30, 40};  // (2, 2)
  const std::vector<float> sx = {0.5f, 2.0f}, sw = {1.0f, 0.25f}, one = {3.0f};
  std::vector<float> y(4, 1.0f);
  dequantize(acc.data(), 2, 2, 2, sx, sw, y.data(), 2);
  CHECK(y == std::vector<float>{5.0f, -2.5f, 60.0f, 20.0f});
  dequantize(acc.data(), 2, 2, 2, one, sw, y.data(), 2, /*add=*/true);
  CHECK(y == std::vector<float>{35.0f, -17.5f, 150.0f, 50.0f});
  CHECK_THROWS(dequantize(acc.data(), 3, 2, 2, sx, sw, y.data(), 2));
}

TEST_CASE("granularity and precision names parse", "[unit][llm][quant]") {
  CHECK(parse_weight_granularity("per-tensor") == WeightGranularity::PerTensor);
  CHECK(parse_activation_granularity("per-token") == ActivationGranularity::PerToken);
  CHECK(parse_precision("w8a8") == Precision::W8A8);
  CHECK(to_string(WeightGranularity::PerChannel) == "per-channel");
  test::check_error([&] { parse_precision("int4"); }, {"fp32, w8a8"});
  test::check_error([&] { parse_activation_granularity("per-row"); }, {"per-token, per-tensor"});
}
