// Per-token int8 activation quantization (int8_activations.h): the generic variant against
// hand-worked rows (half-even ties, NaN, infinity, zero rows, padding, group sums), and every
// SIMD variant this CPU has byte-for-byte against the generic one over random rows, tails and
// group sizes, with and without the +128 offset.
#include "backends/cpu/int8_activations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/cpu_features.h"

namespace infermark::cpu {
namespace {

using QuantizeFn = void (*)(const float*, int64_t, int64_t, int64_t, int64_t, bool, int8_t*,
                            int64_t, float*, float*);

struct Result {
  std::vector<int8_t> q;
  std::vector<float> scale, sums;
};

Result run(QuantizeFn fn, const std::vector<float>& x, int64_t m, int64_t ldx, int64_t k,
           int64_t group_size, bool offset, int64_t ldq) {
  const int64_t n_groups = (k + group_size - 1) / group_size;
  Result r{std::vector<int8_t>(static_cast<size_t>(m * ldq), 0x55),
           std::vector<float>(static_cast<size_t>(m), -1.0f),
           std::vector<float>(static_cast<size_t>(m * n_groups), -1.0f)};
  fn(x.data(), m, ldx, k, group_size, offset, r.q.data(), ldq, r.scale.data(), r.sums.data());
  return r;
}

TEST(Int8Activations, GenericRoundsHalfToEvenAndClampsAsTheContractSays) {
  // amax 127: 127 / amax = 1, so each product is the value itself.
  const std::vector<float> x = {127, 63.5f, -63.5f, 0.5f, -0.5f, 1.5f, 2.5f, -127};
  const Result r = run(&generic::quantize_rows, x, 1, 8, 8, 4, false, 16);
  const int8_t want[] = {127, 64, -64, 0, 0, 2, 2, -127};
  for (int c = 0; c < 8; ++c) EXPECT_EQ(r.q[static_cast<size_t>(c)], want[c]) << "column " << c;
  for (int c = 8; c < 16; ++c) EXPECT_EQ(r.q[static_cast<size_t>(c)], 0) << "padding " << c;
  EXPECT_EQ(r.scale[0], 1.0f);
  EXPECT_EQ(r.sums[0], 127 + 64 - 64 + 0);
  EXPECT_EQ(r.sums[1], 0 + 2 + 2 - 127);
  const Result o = run(&generic::quantize_rows, x, 1, 8, 8, 8, true, 16);
  EXPECT_EQ(static_cast<uint8_t>(o.q[0]), 255);
  EXPECT_EQ(static_cast<uint8_t>(o.q[7]), 1);
  EXPECT_EQ(static_cast<uint8_t>(o.q[8]), 0x80) << "offset padding";
  EXPECT_EQ(o.sums[0], 127 + 64 - 64 + 0 + 0 + 2 + 2 - 127) << "sums are taken before the offset";
}

TEST(Int8Activations, GenericNanInfinityAndZeroRows) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {nan, 1, -2, 0, /**/ inf, 1, 0, 0, /**/ 0, 0, 0, 0};
  const Result r = run(&generic::quantize_rows, x, 3, 4, 4, 4, false, 4);
  EXPECT_EQ(r.scale[0], 2.0f / 127.0f) << "a NaN is skipped by the max";
  EXPECT_EQ(r.q[0], -127) << "a NaN quantizes to -127";
  EXPECT_EQ(r.q[1], 64);
  EXPECT_EQ(r.q[2], -127);
  EXPECT_TRUE(std::isinf(r.scale[1]));
  EXPECT_EQ(r.q[4], -127) << "infinity · 0 is NaN";
  EXPECT_EQ(r.q[5], 0);
  EXPECT_EQ(r.scale[2], 0.0f);
  for (int c = 8; c < 12; ++c) EXPECT_EQ(r.q[static_cast<size_t>(c)], 0);
  EXPECT_EQ(r.sums[2], 0.0f);
}

// Rows of random magnitudes; every third row has amax 127 and halves, so that ties are common.
std::vector<float> random_rows(int64_t m, int64_t ldx, int64_t k, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::uniform_int_distribution<int> half(-254, 254);
  std::vector<float> x(static_cast<size_t>(m * ldx), 1e30f);  // beyond k: must not be read
  for (int64_t i = 0; i < m; ++i) {
    const float mag = std::pow(10.0f, static_cast<float>(i % 5) - 2);
    for (int64_t c = 0; c < k; ++c) {
      x[static_cast<size_t>(i * ldx + c)] =
          i % 3 == 2 ? static_cast<float>(half(rng)) / 2 : u(rng) * mag;
    }
    if (i % 3 == 2) x[static_cast<size_t>(i * ldx + (k - 1) / 2)] = 127;
  }
  if (m > 3 && k > 2) {
    x[static_cast<size_t>(3 * ldx + 1)] = std::numeric_limits<float>::quiet_NaN();
    x[static_cast<size_t>(3 * ldx + k - 1)] = -std::numeric_limits<float>::infinity();
  }
  return x;
}

void expect_same_as_generic(QuantizeFn fn, const char* name) {
  uint32_t seed = 7;
  for (int64_t k : {1, 3, 7, 8, 15, 16, 17, 31, 64, 130, 2049}) {
    for (int64_t group_size : {k, int64_t{4}, int64_t{7}, int64_t{8}, int64_t{32}, int64_t{128}}) {
      for (bool offset : {false, true}) {
        const int64_t m = 6, ldx = k + 5, ldq = (k + 63) / 64 * 64;
        const auto x = random_rows(m, ldx, k, seed++);
        const Result want = run(&generic::quantize_rows, x, m, ldx, k, group_size, offset, ldq);
        const Result got = run(fn, x, m, ldx, k, group_size, offset, ldq);
        const std::string what = std::string(name) + " k=" + std::to_string(k) +
                                 " group=" + std::to_string(group_size) + (offset ? " offset" : "");
        ASSERT_EQ(std::memcmp(got.q.data(), want.q.data(), want.q.size()), 0) << what;
        for (size_t i = 0; i < want.scale.size(); ++i) {
          ASSERT_EQ(std::memcmp(&got.scale[i], &want.scale[i], sizeof(float)), 0) << what;
        }
        ASSERT_EQ(got.sums, want.sums) << what;
      }
    }
  }
}

TEST(Int8Activations, Avx2MatchesGenericBitForBit) {
  if (detected_isa() < Isa::kAvx2) GTEST_SKIP() << "this CPU has no AVX2";
  expect_same_as_generic(&avx2::quantize_rows, "avx2");
}

TEST(Int8Activations, Avx512MatchesGenericBitForBit) {
  if (detected_isa() < Isa::kAvx512) GTEST_SKIP() << "this CPU has no AVX-512 F/BW/VL";
  expect_same_as_generic(&avx512::quantize_rows, "avx512");
}

}  // namespace
}  // namespace infermark::cpu
