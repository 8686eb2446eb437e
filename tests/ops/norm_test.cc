// ops::rms_norm against float64, per ISA variant; odd widths, strided rows, in place.
#include "ops/norm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ops/op_test_util.h"

namespace infermark::ops {
namespace {

using testing::kEpsF32;
using testing::random_floats;

class RmsNormTest : public testing::IsaTest {};

TEST_P(RmsNormTest, MatchesFloat64) {
  uint32_t seed = 1;
  for (int64_t rows : {1, 3, 64}) {
    for (int64_t d : {1, 7, 8, 33, 2048, 4099}) {
      const int64_t ld = d + 5;
      const auto x = random_floats(static_cast<size_t>(rows * ld), -4, 4, seed++);
      const auto w = random_floats(static_cast<size_t>(d), 0.5f, 1.5f, seed++);
      std::vector<float> out(static_cast<size_t>(rows * d));
      rms_norm(backend_, TensorView::of(x.data(), DType::kF32, {rows, ld}).slice(1, 0, d),
               TensorView::of(w.data(), DType::kF32, {d}), 1e-5f,
               TensorView::of(out.data(), DType::kF32, {rows, d}));
      for (int64_t i = 0; i < rows; ++i) {
        double ss = 0;
        for (int64_t j = 0; j < d; ++j)
          ss += double{x[static_cast<size_t>(i * ld + j)]} * x[static_cast<size_t>(i * ld + j)];
        const double inv = 1.0 / std::sqrt(ss / static_cast<double>(d) + 1e-5);
        for (int64_t j = 0; j < d; ++j) {
          const double ref = x[static_cast<size_t>(i * ld + j)] * inv * w[static_cast<size_t>(j)];
          // Sum of d squares in f32 (relative d*u, halved by sqrt), then two roundings.
          const double tol = (0.5 * static_cast<double>(d) + 4) * kEpsF32 * std::abs(ref) + 1e-30;
          ASSERT_NEAR(out[static_cast<size_t>(i * d + j)], ref, tol)
              << "rows=" << rows << " d=" << d;
        }
      }
    }
  }
}

TEST_P(RmsNormTest, InPlace) {
  const int64_t rows = 5, d = 100;
  auto x = random_floats(static_cast<size_t>(rows * d), -1, 1, 9);
  const auto w = random_floats(static_cast<size_t>(d), -1, 1, 10);
  std::vector<float> expected(x.size());
  const auto wv = TensorView::of(w.data(), DType::kF32, {d});
  rms_norm(backend_, TensorView::of(x.data(), DType::kF32, {rows, d}), wv, 1e-6f,
           TensorView::of(expected.data(), DType::kF32, {rows, d}));
  const auto xv = TensorView::of(x.data(), DType::kF32, {rows, d});
  rms_norm(backend_, xv, wv, 1e-6f, xv);
  EXPECT_EQ(x, expected);
}

INSTANTIATE_TEST_SUITE_P(Isa, RmsNormTest, ::testing::ValuesIn(testing::isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace infermark::ops
