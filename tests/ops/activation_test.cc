// ops::swiglu against float64, per ISA variant: fused gate/up columns, odd widths, one row and
// many, large |gate| (saturating silu), in place.
#include "ops/activation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ops/op_test_util.h"

namespace infermark::ops {
namespace {

using testing::kEpsF32;
using testing::random_floats;

class SwigluTest : public testing::IsaTest {};

TEST_P(SwigluTest, MatchesFloat64OnFusedGateUp) {
  uint32_t seed = 1;
  for (int64_t rows : {1, 2, 17}) {
    for (int64_t d : {1, 9, 64, 1003, 8192}) {
      // gate | up side by side, as one fused matmul writes them.
      const auto gu = random_floats(static_cast<size_t>(rows * 2 * d), -12, 12, seed++);
      const TensorView all = TensorView::of(gu.data(), DType::kF32, {rows, 2 * d});
      std::vector<float> out(static_cast<size_t>(rows * d));
      swiglu(backend_, all.slice(1, 0, d), all.slice(1, d, 2 * d),
             TensorView::of(out.data(), DType::kF32, {rows, d}));
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t j = 0; j < d; ++j) {
          const double g = gu[static_cast<size_t>(i * 2 * d + j)];
          const double u = gu[static_cast<size_t>(i * 2 * d + d + j)];
          const double ref = g / (1 + std::exp(-g)) * u;
          ASSERT_NEAR(out[static_cast<size_t>(i * d + j)], ref,
                      16 * kEpsF32 * std::abs(ref) + 1e-30)
              << "g=" << g << " u=" << u;
        }
      }
    }
  }
}

TEST_P(SwigluTest, ExtremeGatesStayFinite) {
  std::vector<float> g = {-200.0f, -90.0f, -30.0f, 30.0f, 90.0f, 200.0f, 1e-20f, -1e-20f};
  std::vector<float> u(g.size(), 2.0f), out(g.size());
  const int64_t d = static_cast<int64_t>(g.size());
  swiglu(backend_, TensorView::of(g.data(), DType::kF32, {1, d}),
         TensorView::of(u.data(), DType::kF32, {1, d}),
         TensorView::of(out.data(), DType::kF32, {1, d}));
  for (size_t j = 0; j < g.size(); ++j) {
    const double ref = g[j] / (1 + std::exp(-double{g[j]})) * 2.0;
    EXPECT_TRUE(std::isfinite(out[j]));
    EXPECT_NEAR(out[j], ref, 1e-6 * std::abs(ref) + 1e-30) << g[j];
  }
}

TEST_P(SwigluTest, InPlaceOverGate) {
  const int64_t rows = 3, d = 77;
  auto g = random_floats(static_cast<size_t>(rows * d), -5, 5, 4);
  const auto u = random_floats(static_cast<size_t>(rows * d), -5, 5, 5);
  std::vector<float> expected(g.size());
  const auto gv = TensorView::of(g.data(), DType::kF32, {rows, d});
  const auto uv = TensorView::of(u.data(), DType::kF32, {rows, d});
  swiglu(backend_, gv, uv, TensorView::of(expected.data(), DType::kF32, {rows, d}));
  swiglu(backend_, gv, uv, gv);
  EXPECT_EQ(g, expected);
}

INSTANTIATE_TEST_SUITE_P(Isa, SwigluTest, ::testing::ValuesIn(testing::isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace infermark::ops
