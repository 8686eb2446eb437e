// bf16 / f16 scalar conversions: known encodings, round-to-nearest-even, subnormals, overflow,
// NaN, and exhaustive round trips of every 16-bit pattern.
#include "backends/cpu/half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace infermark::cpu {
namespace {

TEST(Half, KnownF16Encodings) {
  EXPECT_EQ(f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);  // rounds up to infinity
  EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -24)), 0x0001);         // smallest subnormal
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000);         // tie to even: 0
  EXPECT_EQ(f32_to_f16(std::ldexp(3.0f, -25)), 0x0002);         // 1.5 ulp -> 2 (even)
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -14)), 0x0400);         // smallest normal
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie -> even
  EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(f32_to_f16(std::nanf("")) & 0x7c00, 0x7c00);
  EXPECT_NE(f32_to_f16(std::nanf("")) & 0x03ff, 0);
}

TEST(Half, KnownBf16Encodings) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(-1.0f), 0xbf80);
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);      // tie -> even
  EXPECT_EQ(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);  // tie -> even (up)
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), 0x3f81);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);  // overflow -> inf
}

TEST(Half, EveryPatternRoundTrips) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const auto h = static_cast<uint16_t>(b);
    const float f16 = f16_to_f32(h), bf = bf16_to_f32(h);
    if (std::isnan(f16)) {
      EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f16))));
    } else {
      ASSERT_EQ(f32_to_f16(f16), h) << std::hex << b;
    }
    if (std::isnan(bf)) {
      EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(bf))));
    } else {
      ASSERT_EQ(f32_to_bf16(bf), h) << std::hex << b;
    }
  }
}

TEST(Half, F16RoundingIsNearestOnRandomFloats) {
  // For floats in f16 range, the result is one of the two neighbours and the nearer one.
  uint32_t state = 12345;
  for (int i = 0; i < 200000; ++i) {
    state = state * 1664525u + 1013904223u;
    const float x =
        std::ldexp(static_cast<float>(state >> 8) / (1 << 24), static_cast<int>(state % 40) - 24);
    const uint16_t h = f32_to_f16(x);
    const double err = std::abs(double{f16_to_f32(h)} - x);
    const double up = std::abs(double{f16_to_f32(static_cast<uint16_t>(h + 1))} - x);
    const double down =
        h > 0 ? std::abs(double{f16_to_f32(static_cast<uint16_t>(h - 1))} - x) : 1e30;
    ASSERT_LE(err, up) << x;
    ASSERT_LE(err, down) << x;
  }
}

}  // namespace
}  // namespace infermark::cpu
