// The packed layouts of cpu::QuantizedWeights, byte by byte as quantized_weights.h documents
// them (row lanes for int8 / fp8, nibble pairs for int4, quads for W8A8, nibble quad pairs for
// W4A8), with scales, zero-point offsets and the W8A8 weight sums per panel and group.
#include "backends/cpu/quantized_weights.h"

#include <gtest/gtest.h>

#include <vector>

namespace infermark::cpu {
namespace {

constexpr int kP = QuantizedWeights::kPanel;

struct Source {
  std::vector<int8_t> q;
  std::vector<float> s;
  std::vector<int8_t> z;
};

// rows × k values q[r, c] = (r * 7 + c * 3) % range + lo, scales per (row, group).
Source make(int64_t rows, int64_t k, int64_t groups, int lo, int range) {
  Source src;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < k; ++c)
      src.q.push_back(static_cast<int8_t>((r * 7 + c * 3) % range + lo));
  }
  for (int64_t i = 0; i < rows * groups; ++i) src.s.push_back(0.5f + static_cast<float>(i));
  return src;
}

TEST(QuantizedWeights, RowLanesInt8) {
  const int64_t rows = 20, k = 5;
  const Source src = make(rows, k, 1, -128, 256);
  const QuantizedPart part{src.q.data(), rows, src.s.data(), src.s.size(), nullptr};
  const QuantizedWeights w(QuantFormat::kInt8, QuantLayout::kRowLanes, std::span(&part, 1), k, k);
  ASSERT_EQ(w.n_panels(), 2);
  ASSERT_EQ(w.panel_bytes(), k * kP);
  EXPECT_EQ(w.zoffs(), nullptr);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < k; ++c) {
      const uint8_t byte = w.values()[(r / kP) * w.panel_bytes() + c * kP + r % kP];
      EXPECT_EQ(static_cast<int8_t>(byte), src.q[static_cast<size_t>(r * k + c)]);
      EXPECT_EQ(w.at(r, c), src.q[static_cast<size_t>(r * k + c)] * src.s[static_cast<size_t>(r)]);
    }
  }
  // Rows past n: zero values and scales.
  EXPECT_EQ(w.values()[w.panel_bytes() + 3 * kP + 15], 0);
  EXPECT_EQ(w.scales()[kP + 15], 0.0f);
}

TEST(QuantizedWeights, RowLanesInt4PairsColumnsInNibblesOffsetUnsigned) {
  const int64_t rows = 3, k = 7, gs = 4;  // groups {0..3}, {4..6}
  Source src = make(rows, k, 2, -8, 16);
  const QuantizedPart part{src.q.data(), rows, src.s.data(), src.s.size(), nullptr};
  const QuantizedWeights w(QuantFormat::kInt4, QuantLayout::kRowLanes, std::span(&part, 1), k, gs);
  ASSERT_EQ(w.panel_bytes(), 4 * kP);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < k; ++c) {
      const uint8_t byte = w.values()[(c / 2) * kP + r];
      const int u = c % 2 == 0 ? byte & 0xf : byte >> 4;
      EXPECT_EQ(u, src.q[static_cast<size_t>(r * k + c)] + 8);
    }
    // The padding nibble of the odd last column is zero.
    EXPECT_EQ(w.values()[3 * kP + r] >> 4, 0);
    for (int64_t g = 0; g < 2; ++g) {
      const float s = src.s[static_cast<size_t>(r * 2 + g)];
      EXPECT_EQ(w.scales()[g * kP + r], s);
    }
  }
  // Symmetric: the +8 offsets are -8 · s, not stored.
  EXPECT_EQ(w.zoffs(), nullptr);
  EXPECT_EQ(w.zoff_factor(), -8.0f);
  EXPECT_EQ(w.at(1, 2), src.q[static_cast<size_t>(1 * k + 2)] * src.s[2]);
  EXPECT_EQ(w.bytes(), static_cast<size_t>(4 * kP + 2 * kP * 4)) << "values and scales only";
  // With zero points, q in [0, 15] is stored as is and the offset is -z · s.
  Source asym = make(rows, k, 2, 0, 16);
  asym.z = {1, 2, 3, 4, 5, 15};
  const QuantizedPart apart{asym.q.data(), rows, asym.s.data(), asym.s.size(), asym.z.data()};
  const QuantizedWeights wa(QuantFormat::kInt4, QuantLayout::kRowLanes, std::span(&apart, 1), k,
                            gs);
  EXPECT_EQ(wa.values()[0 * kP + 1] & 0xf, asym.q[static_cast<size_t>(1 * k + 0)]);
  EXPECT_EQ(wa.zoffs()[1 * kP + 2], -15 * asym.s[5]);
  EXPECT_EQ(wa.zoff_factor(), 0.0f);
  EXPECT_EQ(wa.at(2, 6), (asym.q[static_cast<size_t>(2 * k + 6)] - 15) * asym.s[5]);
}

TEST(QuantizedWeights, QuadsInterleaveFourColumnsPerRowAndKeepWeightSums) {
  const int64_t rows = 17, k = 10, gs = 8;  // groups {0..7}, {8, 9}; k padded to 12
  const Source src = make(rows, k, 2, -128, 256);
  const QuantizedPart part{src.q.data(), rows, src.s.data(), src.s.size(), nullptr};
  const QuantizedWeights w(QuantFormat::kInt8, QuantLayout::kQuads, std::span(&part, 1), k, gs);
  ASSERT_EQ(w.panel_bytes(), 3 * 64);
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* panel = w.values() + (r / kP) * w.panel_bytes();
    int sums[2] = {0, 0};
    for (int64_t c = 0; c < k; ++c) {
      const int8_t q = src.q[static_cast<size_t>(r * k + c)];
      EXPECT_EQ(static_cast<int8_t>(panel[(c / 4) * 64 + (r % kP) * 4 + c % 4]), q);
      sums[c / gs] += q;
    }
    EXPECT_EQ(panel[2 * 64 + (r % kP) * 4 + 2], 0);  // padding columns 10, 11
    for (int g = 0; g < 2; ++g) {
      EXPECT_EQ(w.wsums()[((r / kP) * 2 + g) * kP + r % kP], 128 * sums[g]);
    }
  }
}

TEST(QuantizedWeights, Int4QuadsPairQuadsInNibblesOffsetUnsigned) {
  const int64_t rows = 18, k = 21, gs = 16;  // groups {0..15}, {16..20}; k padded to 24
  const Source src = make(rows, k, 2, -8, 16);
  const QuantizedPart part{src.q.data(), rows, src.s.data(), src.s.size(), nullptr};
  const QuantizedWeights w(QuantFormat::kInt4, QuantLayout::kQuads, std::span(&part, 1), k, gs);
  ASSERT_EQ(w.panel_bytes(), 3 * 64);
  EXPECT_EQ(w.wsums(), nullptr);
  EXPECT_EQ(w.zoffs(), nullptr);
  EXPECT_EQ(w.zoff_factor(), -8.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* panel = w.values() + (r / kP) * w.panel_bytes();
    for (int64_t c = 0; c < k; ++c) {
      const int8_t q = src.q[static_cast<size_t>(r * k + c)];
      const uint8_t b = panel[(c / 8) * 64 + (r % kP) * 4 + c % 4];
      EXPECT_EQ(c % 8 < 4 ? b & 0xf : b >> 4, q + 8) << r << ", " << c;
      EXPECT_EQ(w.stored(r, c), q + 8);
      EXPECT_EQ(w.at(r, c), static_cast<float>(q) * src.s[static_cast<size_t>(r * 2 + c / gs)]);
    }
    EXPECT_EQ(panel[2 * 64 + (r % kP) * 4 + 1] >> 4, 0);  // padding column 21 (high nibble)
  }
}

TEST(QuantizedWeights, Int4QuadsWithZeroPointsStoreQAsIs) {
  const int64_t rows = 3, k = 16, gs = 16;
  Source src = make(rows, k, 1, 0, 16);
  src.z = {0, 7, 15};
  const QuantizedPart part{src.q.data(), rows, src.s.data(), src.s.size(), src.z.data()};
  const QuantizedWeights w(QuantFormat::kInt4, QuantLayout::kQuads, std::span(&part, 1), k, gs);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < k; ++c) {
      const int8_t q = src.q[static_cast<size_t>(r * k + c)];
      EXPECT_EQ(w.stored(r, c), q);
      EXPECT_EQ(w.at(r, c), static_cast<float>(q - src.z[static_cast<size_t>(r)]) *
                                src.s[static_cast<size_t>(r)]);
    }
  }
}

}  // namespace
}  // namespace infermark::cpu
