// The quantizer and compressed-tensors packing (model/quantize.h) against the golden words and
// rounding rules of the fact sheet: offset-unsigned storage, element 0 in the low bits, padding
// bits 0, absmax/127.5 and /7.5 with ties to even (so int8 -128 occurs), FP8 e4m3 rounding.
#include "model/quantize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>

#include "model/dtype.h"

namespace infermark::model {
namespace {

using ::testing::ElementsAre;

TEST(PackInt32, Int4GoldenWords) {
  int32_t word = 0;
  const std::vector<int8_t> negative = {-8, -7, -6, -5, -4, -3, -2, -1};
  pack_int32(negative, 4, std::span<int32_t>(&word, 1));
  EXPECT_EQ(static_cast<uint32_t>(word), 0x76543210u);
  const std::vector<int8_t> positive = {0, 1, 2, 3, 4, 5, 6, 7};
  pack_int32(positive, 4, std::span<int32_t>(&word, 1));
  EXPECT_EQ(static_cast<uint32_t>(word), 0xFEDCBA98u);
  EXPECT_EQ(word, -19088744);
}

TEST(PackInt32, Int8GoldenWordAndLittleEndianPairs) {
  int32_t word = 0;
  const std::vector<int8_t> v = {1, 2};
  pack_int32(v, 8, std::span<int32_t>(&word, 1));
  EXPECT_EQ(word, 33409);
  // On a little-endian machine byte j of an int4 word holds elements 2j (low) and 2j+1 (high).
  const std::vector<int8_t> q = {-8, -7, -6, -5, -4, -3, -2, -1};
  pack_int32(q, 4, std::span<int32_t>(&word, 1));
  uint8_t bytes[4];
  std::memcpy(bytes, &word, 4);
  EXPECT_THAT(bytes, ElementsAre(0x10, 0x32, 0x54, 0x76));
}

TEST(PackInt32, PaddingBitsAreZeroAndDecodeToTheMinimum) {
  std::vector<int32_t> words(2);
  const std::vector<int8_t> v = {7, -8, 0, 1, 2, 3, 4, 5, -1, 6};  // 10 values, 2 words
  pack_int32(v, 4, words);
  EXPECT_EQ(static_cast<uint32_t>(words[1]) >> 8, 0u);
  std::vector<uint8_t> u(16);
  unpack_int32(words, 4, u);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(u[i] - 8, v[i]) << i;
  for (size_t i = v.size(); i < u.size(); ++i) EXPECT_EQ(u[i] - 8, -8) << i;
}

TEST(PackInt32, Int8RoundTripsEveryValue) {
  std::vector<int8_t> v;
  for (int x = -128; x < 128; ++x) v.push_back(static_cast<int8_t>(x));
  std::vector<int32_t> words(64);
  pack_int32(v, 8, words);
  std::vector<uint8_t> u(256);
  unpack_int32(words, 8, u);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(static_cast<int>(u[i]) - 128, v[i]);
}

TEST(QuantizeInt, SymmetricInt8IsAbsmaxOver127p5WithTiesToEven) {
  // absmax 127.5: scale 1, so x / scale is exact and the rounding is visible.
  const std::vector<float> w = {127.5f, -127.5f, 2.5f, -0.5f, 3.5f, 1.0f};
  const QuantizedMatrix m = quantize_int(w, 1, 6, 8, 0, true);
  EXPECT_EQ(m.format, ops::WeightFormat::kInt8);
  EXPECT_EQ(m.group_size, 6);
  EXPECT_THAT(m.scales, ElementsAre(1.0f));
  EXPECT_THAT(m.values, ElementsAre(127, -128, 2, 0, 4, 1));
  EXPECT_TRUE(m.zero_points.empty());
}

TEST(QuantizeInt, SymmetricInt4GroupsWithAPartialLastGroup) {
  // 10 columns, groups of 4: [0,4) absmax 7.5, [4,8) absmax 15, [8,10) absmax 0.75.
  const std::vector<float> w = {7.5f, -7.5f, 0.5f, 1.5f, 15, -3, 2, 1, 0.75f, -0.2f};
  const QuantizedMatrix m = quantize_int(w, 1, 10, 4, 4, true);
  EXPECT_EQ(m.format, ops::WeightFormat::kInt4);
  EXPECT_EQ(m.groups(), 3);
  EXPECT_THAT(m.scales, ElementsAre(1.0f, 2.0f, 0.1f));
  EXPECT_THAT(m.values, ElementsAre(7, -8, 0, 2, 7, -2, 1, 0, 7, -2));
}

TEST(QuantizeInt, AsymmetricInt4StoresQAndZeroPointPlus8) {
  // min -3, max 12: scale 15 / 15 = 1, zp = round(-8 - (-3)) = -5, stored +8 = 3.
  const std::vector<float> w = {-3, 12, 0, 4.5f};
  const QuantizedMatrix m = quantize_int(w, 1, 4, 4, 0, false);
  EXPECT_THAT(m.scales, ElementsAre(1.0f));
  EXPECT_THAT(m.zero_points, ElementsAre(3));
  // q = round(x - 5): -8, 7, -5, round(-0.5) = 0; stored +8.
  EXPECT_THAT(m.values, ElementsAre(0, 15, 3, 8));
  for (size_t c = 0; c < w.size(); ++c) {
    EXPECT_NEAR((m.values[c] - m.zero_points[0]) * m.scales[0], w[c], 0.5f) << c;
  }
}

TEST(QuantizeInt, AsymmetricRangeIncludesZero) {
  // All positive: the range is widened to [0, 30], scale 2, zp = -8.
  const std::vector<float> w = {10, 30, 20};
  const QuantizedMatrix m = quantize_int(w, 1, 3, 4, 0, false);
  EXPECT_THAT(m.scales, ElementsAre(2.0f));
  EXPECT_THAT(m.zero_points, ElementsAre(0));
  EXPECT_THAT(m.values, ElementsAre(5, 15, 10));
}

TEST(QuantizeInt, ZeroRowGetsEpsilonScaleAndScalesCanBeRounded) {
  const std::vector<float> w = {0, 0, 0.3f, -0.1f};
  const QuantizedMatrix m = quantize_int(w, 2, 2, 8, 0, true, [](float s) {
    return bf16_to_f32(f32_to_bf16(s));
  });
  EXPECT_EQ(m.scales[0], bf16_to_f32(f32_to_bf16(FLT_EPSILON)));
  const float s1 = bf16_to_f32(f32_to_bf16(0.3f / 127.5f));
  EXPECT_EQ(m.scales[1], s1);
  EXPECT_EQ(m.values[2], static_cast<int8_t>(std::clamp(std::nearbyint(0.3f / s1), -128.f, 127.f)));
}

TEST(Fp8, RoundsToNearestEvenAndSaturates) {
  EXPECT_EQ(f32_to_f8e4m3(448), 0x7e);
  EXPECT_EQ(f32_to_f8e4m3(1e6f), 0x7e);
  EXPECT_EQ(f32_to_f8e4m3(-448), 0xfe);
  EXPECT_EQ(f32_to_f8e4m3(1.0f), 0x38);
  EXPECT_EQ(f32_to_f8e4m3(1.0625f), 0x38);  // halfway 1.0 / 1.125: to the even mantissa
  EXPECT_EQ(f32_to_f8e4m3(1.1875f), 0x3a);  // halfway 1.125 / 1.25
  EXPECT_EQ(f32_to_f8e4m3(std::ldexp(1.0f, -9)), 0x01);  // smallest subnormal
  EXPECT_EQ(f32_to_f8e4m3(std::ldexp(1.0f, -10)), 0x00);  // halfway 0 / 2^-9: to 0
  EXPECT_EQ(f32_to_f8e4m3(-0.0f), 0x80);
  EXPECT_EQ(f32_to_f8e4m3(std::nanf("")), 0x7f);
  for (int code = 0; code < 256; ++code) {
    if ((code & 0x7f) == 0x7f) continue;
    EXPECT_EQ(f32_to_f8e4m3(f8e4m3_to_f32(static_cast<uint8_t>(code))), code) << code;
  }
}

TEST(Fp8, PerChannelAndPerTensorScales) {
  const std::vector<float> w = {448, -224, 1, 0.5f, 0.25f, -2};
  const QuantizedMatrix rows = quantize_fp8(w, 2, 3, false);
  EXPECT_THAT(rows.scales, ElementsAre(1.0f, 2.0f / 448));
  EXPECT_EQ(static_cast<uint8_t>(rows.values[0]), 0x7e);
  EXPECT_EQ(f8e4m3_to_f32(static_cast<uint8_t>(rows.values[5])), -448);
  const QuantizedMatrix tensor = quantize_fp8(w, 2, 3, true);
  EXPECT_THAT(tensor.scales, ElementsAre(1.0f, 1.0f));
  EXPECT_EQ(f8e4m3_to_f32(static_cast<uint8_t>(tensor.values[4])), 0.25f);
}

TEST(LoadQuantization, NamesAndForms) {
  EXPECT_FALSE(load_quantization("int3"));
  const auto int4 = load_quantization("int4");
  ASSERT_TRUE(int4);
  EXPECT_EQ(int4->group_size, 128);
  const std::vector<float> w(2 * 300, 0.5f);
  const QuantizedMatrix m = quantize_for_load(*int4, w, 2, 300);
  EXPECT_EQ(m.group_size, 128);
  EXPECT_EQ(m.groups(), 3);
  EXPECT_EQ(quantize_for_load(*int4, std::span(w).first(100), 1, 100).group_size, 100);
  EXPECT_EQ(load_quantization("w8a8")->activations, ops::ActivationFormat::kInt8PerToken);
  EXPECT_EQ(load_quantization("int8")->activations, ops::ActivationFormat::kFloat);
  const auto w4a8 = load_quantization("w4a8");
  ASSERT_TRUE(w4a8);
  EXPECT_EQ(w4a8->weights, ops::WeightFormat::kInt4);
  EXPECT_EQ(w4a8->group_size, 128);
  EXPECT_EQ(w4a8->activations, ops::ActivationFormat::kInt8PerToken);
  const QuantizedMatrix m4 = quantize_for_load(*w4a8, w, 2, 300);
  EXPECT_EQ(m4.activations, ops::ActivationFormat::kInt8PerToken);
  EXPECT_EQ(m4.values, m.values);  // the int4 weights, only the activations differ
  EXPECT_TRUE(m4.zero_points.empty());
  EXPECT_EQ(load_quantization("fp8")->weights, ops::WeightFormat::kFp8E4M3);
}

}  // namespace
}  // namespace infermark::model
