// ops::RopeTable (Llama-3 frequency scaling, values from transformers) and ops::rope (rotate_half
// layout) against float64, per ISA variant.
#include "ops/rope.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ops/op_test_util.h"

namespace infermark::ops {
namespace {

using testing::kEpsF32;
using testing::random_floats;

TEST(RopeTable, Llama3ScalingMatchesTransformers) {
  // Llama-3.1-8B: head_dim 128, theta 5e5, factor 8, low 1, high 4, original 8192.
  const RopeTable t(128, 500000.0f, Llama3RopeScaling{});
  const auto f = t.inv_freq();
  ASSERT_EQ(f.size(), 64u);
  EXPECT_EQ(f[0], 1.0f);
  EXPECT_NEAR(f[1], 0.8146172f, 1e-7);
  EXPECT_NEAR(f[40], 3.4281e-5f, 1e-9);
  EXPECT_NEAR(f[63], 3.0689e-7f, 1e-11);
  // i = 0..28 unchanged, 29..34 smoothed, 35..63 divided by 8.
  const RopeTable plain(128, 500000.0f);
  for (int i = 0; i <= 28; ++i) EXPECT_EQ(f[i], plain.inv_freq()[i]) << i;
  for (int i = 29; i <= 34; ++i) {
    EXPECT_LT(f[i], plain.inv_freq()[i]) << i;
    EXPECT_GT(f[i], plain.inv_freq()[i] / 8) << i;
  }
  for (int i = 35; i < 64; ++i) EXPECT_FLOAT_EQ(f[i], plain.inv_freq()[i] / 8) << i;
}

TEST(RopeTable, DefaultFrequencies) {
  const RopeTable t(64, 10000.0f);
  for (int i = 0; i < 32; ++i) {
    EXPECT_NEAR(t.inv_freq()[i], std::pow(10000.0, -2.0 * i / 64), 2e-7 * t.inv_freq()[i]);
  }
}

class RopeTest : public testing::IsaTest {};

TEST_P(RopeTest, RotateHalfMatchesFloat64) {
  uint32_t seed = 1;
  for (int head_dim : {2, 8, 18, 64, 128}) {
    const RopeTable table(head_dim, 500000.0f, Llama3RopeScaling{});
    for (int64_t rows : {1, 5, 40}) {
      const int n_heads = 6;  // e.g. 4 q heads + 2 k heads of a fused output
      const int64_t width = int64_t{n_heads} * head_dim, ld = width + 3;
      const auto x0 = random_floats(static_cast<size_t>(rows * ld), -2, 2, seed++);
      std::vector<int32_t> pos(static_cast<size_t>(rows));
      for (int64_t r = 0; r < rows; ++r)
        pos[static_cast<size_t>(r)] = static_cast<int32_t>((r * 977 + 3) % 131072);
      auto x = x0;
      rope(backend_, table, pos,
           TensorView::of(x.data(), DType::kF32, {rows, ld}).slice(1, 0, width));
      const int half = head_dim / 2;
      for (int64_t r = 0; r < rows; ++r) {
        for (int h = 0; h < n_heads; ++h) {
          for (int i = 0; i < half; ++i) {
            // The angle as transformers forms it: f32 product of position and frequency.
            const double a = static_cast<float>(pos[static_cast<size_t>(r)]) *
                             table.inv_freq()[static_cast<size_t>(i)];
            const size_t lo = static_cast<size_t>(r * ld + h * head_dim + i),
                         hi = lo + static_cast<size_t>(half);
            const double ref_lo = x0[lo] * std::cos(a) - x0[hi] * std::sin(a);
            const double ref_hi = x0[hi] * std::cos(a) + x0[lo] * std::sin(a);
            const double scale = std::abs(x0[lo]) + std::abs(x0[hi]);
            ASSERT_NEAR(x[lo], ref_lo, 4 * kEpsF32 * scale) << head_dim << " " << r << " " << i;
            ASSERT_NEAR(x[hi], ref_hi, 4 * kEpsF32 * scale) << head_dim << " " << r << " " << i;
          }
        }
        for (int64_t c = width; c < ld; ++c)
          ASSERT_EQ(x[static_cast<size_t>(r * ld + c)], x0[static_cast<size_t>(r * ld + c)]);
      }
    }
  }
}

TEST_P(RopeTest, PositionZeroIsIdentity) {
  const RopeTable table(16, 10000.0f);
  const auto x0 = random_floats(32, -1, 1, 3);
  auto x = x0;
  const int32_t pos[] = {0};
  rope(backend_, table, pos, TensorView::of(x.data(), DType::kF32, {1, 32}));
  EXPECT_EQ(x, x0);
}

INSTANTIATE_TEST_SUITE_P(Isa, RopeTest, ::testing::ValuesIn(testing::isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace infermark::ops
