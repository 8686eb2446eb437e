// dtype names and sizes, and the bf16/f16/f8 <-> f32 conversions (exhaustive where the input
// space is small, at rounding midpoints otherwise).
#include "model/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace infermark::model {
namespace {

float bits_f32(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

TEST(DTypeTest, NamesAndSizesFollowSafetensors) {
  struct Case {
    const char* name;
    DType type;
    size_t size;
  };
  for (const Case& c :
       {Case{"F32", DType::kF32, 4}, Case{"F16", DType::kF16, 2}, Case{"BF16", DType::kBF16, 2},
        Case{"F8_E4M3", DType::kF8E4M3, 1}, Case{"F64", DType::kF64, 8},
        Case{"I64", DType::kI64, 8}, Case{"BOOL", DType::kBool, 1}}) {
    ASSERT_EQ(parse_dtype(c.name), c.type) << c.name;
    EXPECT_EQ(dtype_name(c.type), c.name);
    EXPECT_EQ(dtype_size(c.type), c.size) << c.name;
  }
  EXPECT_FALSE(parse_dtype("bf16").has_value());  // case-sensitive
  EXPECT_FALSE(parse_dtype("F4").has_value());
  EXPECT_TRUE(is_weight_dtype(DType::kBF16));
  EXPECT_FALSE(is_weight_dtype(DType::kF8E4M3));
  EXPECT_FALSE(is_weight_dtype(DType::kI32));
}

TEST(DTypeTest, Bf16RoundTripsEveryNonNanValue) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = bf16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_bf16(f), h) << h;
  }
}

TEST(DTypeTest, Bf16RoundsToNearestEven) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(bits_f32(0x3f808000)), 0x3f80);  // tie, even stays
  EXPECT_EQ(f32_to_bf16(bits_f32(0x3f818000)), 0x3f82);  // tie, odd rounds up
  EXPECT_EQ(f32_to_bf16(bits_f32(0x3f808001)), 0x3f81);  // above the tie
  EXPECT_EQ(f32_to_bf16(bits_f32(0x7f7fffff)), 0x7f80);  // max float rounds to inf
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  EXPECT_EQ(f32_to_bf16(-std::numeric_limits<float>::quiet_NaN()) & 0x8000, 0x8000);
}

TEST(DTypeTest, F16RoundTripsEveryNonNanValue) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_f16(f), h) << h;
  }
}

TEST(DTypeTest, F16KnownValues) {
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(f16_to_f32(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7e00)));
}

TEST(DTypeTest, F16RoundsToNearestEvenIncludingSubnormalsAndOverflow) {
  // Midpoint between 1.0 (0x3c00) and the next half (0x3c01) is 1 + 2^-11: ties to even.
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(f32_to_f16(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)), 0x3c01);
  EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);  // halfway to 65536 rounds to inf
  EXPECT_EQ(f32_to_f16(1e10f), 0x7c00);
  EXPECT_EQ(f32_to_f16(-1e10f), 0xfc00);
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000);  // tie between 0 and 2^-24
  EXPECT_EQ(f32_to_f16(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(f32_to_f16(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 units: tie to even (2)
  EXPECT_EQ(f32_to_f16(-std::ldexp(1.0f, -30)), 0x8000);
  EXPECT_EQ(f32_to_f16(std::ldexp(1023.5f, -24)), 0x0400);  // rounds up into the normals
}

TEST(DTypeTest, F8E4M3Values) {
  EXPECT_EQ(f8e4m3_to_f32(0x00), 0.0f);
  EXPECT_EQ(f8e4m3_to_f32(0x38), 1.0f);    // exp 7, mantissa 0
  EXPECT_EQ(f8e4m3_to_f32(0x7e), 448.0f);  // largest finite
  EXPECT_EQ(f8e4m3_to_f32(0xfe), -448.0f);
  EXPECT_EQ(f8e4m3_to_f32(0x01), std::ldexp(1.0f, -9));  // smallest subnormal
  EXPECT_EQ(f8e4m3_to_f32(0x78), 256.0f);                // exp 15 is finite in E4M3
  EXPECT_TRUE(std::isnan(f8e4m3_to_f32(0x7f)));
  EXPECT_TRUE(std::isnan(f8e4m3_to_f32(0xff)));
}

TEST(DTypeTest, ConvertToF32HandlesUnalignedSources) {
  const std::vector<float> values = {1.5f, -2.25f, 3.0e-3f, 1024.0f, -0.0f};
  std::vector<std::byte> buf(1 + values.size() * 4);
  for (DType t : {DType::kF32, DType::kF16, DType::kBF16}) {
    for (size_t i = 0; i < values.size(); ++i) {
      uint32_t word = 0;
      if (t == DType::kF32) std::memcpy(&word, &values[i], 4);
      if (t == DType::kF16) word = f32_to_f16(values[i]);
      if (t == DType::kBF16) word = f32_to_bf16(values[i]);
      std::memcpy(buf.data() + 1 + i * dtype_size(t), &word, dtype_size(t));
    }
    std::vector<float> out(values.size());
    convert_to_f32(t, buf.data() + 1, values.size(), out.data());
    for (size_t i = 0; i < values.size(); ++i) {
      float tol =
          t == DType::kF32 ? 0 : std::abs(values[i]) * (t == DType::kBF16 ? 0x1p-8f : 0x1p-11f);
      EXPECT_NEAR(out[i], values[i], tol) << dtype_name(t) << " " << i;
    }
  }
}

}  // namespace
}  // namespace infermark::model
