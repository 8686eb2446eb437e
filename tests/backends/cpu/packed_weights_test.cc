// cpu::PackedWeights: every element lands where the layout contract says (read back with `at`
// and through the raw panel bytes), parts concatenate, rows past n are zero padding.
#include "backends/cpu/packed_weights.h"

#include <gtest/gtest.h>

#include <vector>

#include "backends/cpu/half.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {
namespace {

TEST(PackedWeights, LayoutMatchesContractForEachType) {
  ThreadPool pool(2);
  const int64_t k = 37;
  const int64_t rows_a = 21, rows_b = 6, ld_a = 40;  // part a is strided
  for (FloatType t : {FloatType::kF32, FloatType::kBF16, FloatType::kF16}) {
    auto value = [](int64_t r, int64_t c) { return static_cast<float>(r * 1000 + c + 1); };
    std::vector<float> a32(static_cast<size_t>(rows_a * ld_a)),
        b32(static_cast<size_t>(rows_b * k));
    for (int64_t r = 0; r < rows_a; ++r)
      for (int64_t c = 0; c < k; ++c) a32[static_cast<size_t>(r * ld_a + c)] = value(r, c);
    for (int64_t r = 0; r < rows_b; ++r)
      for (int64_t c = 0; c < k; ++c) b32[static_cast<size_t>(r * k + c)] = value(rows_a + r, c);
    // Values are small integers: exact in f16 up to 2048 only, so use a per-type encoder and
    // compare with the decoded value.
    auto encode = [&](const std::vector<float>& src, std::vector<uint16_t>& dst) {
      dst.resize(src.size());
      for (size_t i = 0; i < src.size(); ++i) {
        dst[i] = t == FloatType::kBF16 ? f32_to_bf16(src[i]) : f32_to_f16(src[i]);
      }
    };
    auto decode = [&](float v) {
      if (t == FloatType::kBF16) return bf16_to_f32(f32_to_bf16(v));
      if (t == FloatType::kF16) return f16_to_f32(f32_to_f16(v));
      return v;
    };
    std::vector<uint16_t> a16, b16;
    const void* pa = a32.data();
    const void* pb = b32.data();
    if (t != FloatType::kF32) {
      encode(a32, a16);
      encode(b32, b16);
      pa = a16.data();
      pb = b16.data();
    }
    const WeightPart parts[] = {{pa, rows_a, ld_a}, {pb, rows_b, k}};
    const PackedWeights w(t, parts, k, &pool);
    ASSERT_EQ(w.n(), rows_a + rows_b);
    ASSERT_EQ(w.n_panels(), 2);
    for (int64_t r = 0; r < w.n(); ++r) {
      for (int64_t c = 0; c < k; ++c) {
        ASSERT_EQ(w.at(r, c), decode(value(r, c))) << r << "," << c;
        // The raw layout: panel r/16, group c, slot(r%16).
        const size_t idx = static_cast<size_t>(c * PackedWeights::kPanel +
                                               PackedWeights::slot(t, static_cast<int>(r % 16)));
        float raw;
        if (t == FloatType::kF32) {
          raw = static_cast<const float*>(w.panel(r / 16))[idx];
        } else {
          const uint16_t bits = static_cast<const uint16_t*>(w.panel(r / 16))[idx];
          raw = t == FloatType::kBF16 ? bf16_to_f32(bits) : f16_to_f32(bits);
        }
        ASSERT_EQ(raw, decode(value(r, c)));
      }
    }
    // Padding rows 27..31 of panel 1 are zero.
    for (int j = static_cast<int>(w.n() % 16); j < 16; ++j) {
      for (int64_t c = 0; c < k; ++c) {
        const size_t idx = static_cast<size_t>(c * 16 + PackedWeights::slot(t, j));
        const char* p = static_cast<const char*>(w.panel(1)) + idx * float_type_size(t);
        for (size_t b = 0; b < float_type_size(t); ++b) ASSERT_EQ(p[b], 0);
      }
    }
  }
}

TEST(PackedWeights, Bf16SlotsPairRowsJAndJPlus8) {
  for (int j = 0; j < 8; ++j) {
    EXPECT_EQ(PackedWeights::slot(FloatType::kBF16, j), 2 * j);
    EXPECT_EQ(PackedWeights::slot(FloatType::kBF16, j + 8), 2 * j + 1);
    EXPECT_EQ(PackedWeights::slot(FloatType::kF16, j + 8), j + 8);
  }
}

}  // namespace
}  // namespace infermark::cpu
