// int4 weights in the kNibbleBlocks layout (quantized_weights.h): which group sizes take it, its
// bytes (golden nibble positions, padding), and every kernel variant reading it (generic, AVX2,
// AVX-512 where the CPU has them) against a float64 product of the source weights — symmetric
// and with zero points, group 128 / 256 / per channel, k not a multiple of 128, row counts that
// leave partial panels and row tiles, strided and accumulated outputs, 1-3 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/cpu_features.h"
#include "backends/cpu/quantized_matmul.h"
#include "backends/cpu/quantized_weights.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {
namespace {

constexpr int kP = QuantizedWeights::kPanel;
constexpr float kEps = 1.0f / (1 << 23);

// A random int4 source: n × k values (symmetric [-8, 7], or [0, 15] with zero points), scales
// per (row, group) in [0.5, 2] / 64.
struct Int4Source {
  int64_t n, k, group_size;
  std::vector<int8_t> q, z;
  std::vector<float> s;

  Int4Source(int64_t rows, int64_t cols, int64_t gs, bool zero_points, uint32_t seed)
      : n(rows), k(cols), group_size(gs) {
    std::mt19937 rng(seed);
    const int64_t groups = (k + gs - 1) / gs;
    for (int64_t i = 0; i < n * k; ++i) {
      q.push_back(static_cast<int8_t>(zero_points ? rng() % 16 : static_cast<int>(rng() % 16) - 8));
    }
    std::uniform_real_distribution<float> scale(0.5f / 64, 2.0f / 64);
    for (int64_t i = 0; i < n * groups; ++i) s.push_back(scale(rng));
    if (zero_points) {
      for (int64_t i = 0; i < n * groups; ++i) z.push_back(static_cast<int8_t>(rng() % 16));
    }
  }
  int64_t si(int64_t r, int64_t c) const { return r * ((k + group_size - 1) / group_size) + c / group_size; }
  double w(int64_t r, int64_t c) const {
    const double zp = z.empty() ? 0 : z[static_cast<size_t>(si(r, c))];
    return (q[static_cast<size_t>(r * k + c)] - zp) * s[static_cast<size_t>(si(r, c))];
  }
  double magnitude(int64_t r, int64_t c) const {
    const double zp = z.empty() ? 0 : z[static_cast<size_t>(si(r, c))];
    return (std::abs(q[static_cast<size_t>(r * k + c)]) + zp + 8) * s[static_cast<size_t>(si(r, c))];
  }
  QuantizedWeights pack(ThreadPool* pool = nullptr) const {
    const QuantizedPart part{q.data(), n, s.data(), s.size(), z.empty() ? nullptr : z.data()};
    return QuantizedWeights(QuantFormat::kInt4, QuantLayout::kNibbleBlocks, std::span(&part, 1), k,
                            group_size, pool);
  }
};

std::vector<float> random_x(int64_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2, 2);
  std::vector<float> x(static_cast<size_t>(count));
  for (float& v : x) v = d(rng);
  return x;
}

TEST(QuantizedNibbleBlocks, TakenForGroupsOfWholeBlocksOrPerChannelWhereAvx512Runs) {
  const Isa z = Isa::kAvx512;
  EXPECT_EQ(float_layout(QuantFormat::kInt4, 4096, 128, z), QuantLayout::kNibbleBlocks);
  EXPECT_EQ(float_layout(QuantFormat::kInt4, 4096, 256, z), QuantLayout::kNibbleBlocks);
  EXPECT_EQ(float_layout(QuantFormat::kInt4, 300, 300, z), QuantLayout::kNibbleBlocks);
  EXPECT_EQ(float_layout(QuantFormat::kInt4, 300, 128, z), QuantLayout::kNibbleBlocks);
  EXPECT_EQ(float_layout(QuantFormat::kInt4, 4096, 64, z), QuantLayout::kRowLanes);
  EXPECT_EQ(float_layout(QuantFormat::kInt4, 4096, 7, z), QuantLayout::kRowLanes);
  EXPECT_EQ(float_layout(QuantFormat::kInt8, 4096, 128, z), QuantLayout::kRowLanes);
  EXPECT_EQ(float_layout(QuantFormat::kFp8E4M3, 4096, 4096, z), QuantLayout::kRowLanes);
  EXPECT_EQ(float_layout(QuantFormat::kInt4, 4096, 128, Isa::kAvx2), QuantLayout::kRowLanes);
  EXPECT_EQ(float_layout(QuantFormat::kInt4, 4096, 128, Isa::kGeneric), QuantLayout::kRowLanes);
  EXPECT_TRUE(nibble_blocks_fit(QuantFormat::kInt4, 4096, 4096));
  EXPECT_FALSE(nibble_blocks_fit(QuantFormat::kInt4, 4096, 32));
}

// Golden positions: row j, column c = 128b + t + 16i sits in byte (j / 8)·512·B + 512b +
// 64(j % 8) + 4t + i/2 of its panel (B blocks), low nibble for even i; columns past k and rows
// past n are zero.
TEST(QuantizedNibbleBlocks, PacksEightColumnsStrided16PerWordOffsetUnsigned) {
  const Int4Source src(18, 200, 128, false, 7);
  const QuantizedWeights w = src.pack();
  ASSERT_EQ(w.layout(), QuantLayout::kNibbleBlocks);
  ASSERT_EQ(w.panel_bytes(), 2 * 1024);
  ASSERT_EQ(w.n_panels(), 2);
  for (int64_t r = 0; r < src.n; ++r) {
    const uint8_t* panel = w.values() + (r / kP) * w.panel_bytes();
    for (int64_t c = 0; c < src.k; ++c) {
      const int64_t b = c / 128, t = c % 16, i = c % 128 / 16;
      const int64_t j = r % kP;
      const uint8_t byte = panel[(j / 8) * 1024 + b * 512 + (j % 8) * 64 + 4 * t + i / 2];
      const int u = i % 2 == 0 ? byte & 0xf : byte >> 4;
      ASSERT_EQ(u, src.q[static_cast<size_t>(r * src.k + c)] + 8) << r << ", " << c;
      EXPECT_EQ(w.stored(r, c), u);
      EXPECT_NEAR(w.at(r, c), src.w(r, c), 2 * kEps * src.magnitude(r, c));
    }
    // Columns 200..255 of the second block: zero nibbles (c = 200 is t = 8, i = 4).
    const uint8_t* block1 = panel + (r % kP / 8) * 1024 + 512 + (r % 8) * 64;
    EXPECT_EQ(block1[4 * 8 + 2] & 0xf, 0);
    EXPECT_EQ(block1[4 * 15 + 3], 0);  // c = 255: t = 15, i = 7
  }
  // One golden word: row 0, block 0, word t = 3 holds columns 3, 19, ..., 115.
  uint32_t word = 0;
  for (int i = 7; i >= 0; --i) {
    word = word << 4 | static_cast<uint32_t>(src.q[static_cast<size_t>(3 + 16 * i)] + 8);
  }
  uint32_t got;
  std::memcpy(&got, w.values() + 4 * 3, 4);
  EXPECT_EQ(got, word);
  for (int j = 2; j < kP; ++j) {
    EXPECT_EQ(w.values()[w.panel_bytes() + (j / 8) * 1024 + (j % 8) * 64 + 5], 0);
  }
  EXPECT_EQ(w.scales()[(1 * w.n_groups() + 0) * kP + 5], 0.0f);
  // Zero points: q stored as is, zoff = -z·s.
  const Int4Source asym(3, 256, 256, true, 8);
  const QuantizedWeights wa = asym.pack();
  EXPECT_EQ(wa.stored(2, 130), asym.q[static_cast<size_t>(2 * 256 + 130)]);
  EXPECT_EQ(wa.zoffs()[2], -asym.z[2] * asym.s[2]);
  EXPECT_NEAR(wa.at(2, 130), asym.w(2, 130), 2 * kEps * asym.magnitude(2, 130));
}

struct Case {
  int64_t m, n, k, group_size;
  bool zero_points;
};

// y (+)= x · W^T checked against float64 within the f32 summation bound of the terms.
void expect_product(const Int4Source& src, const std::vector<float>& x, int64_t ldx, int64_t m,
                    const std::vector<float>& y, int64_t ldy, const std::vector<float>& y0,
                    const std::string& what) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t r = 0; r < src.n; ++r) {
      double ref = y0[static_cast<size_t>(i * ldy + r)], bound = std::abs(ref);
      for (int64_t c = 0; c < src.k; ++c) {
        const double xv = x[static_cast<size_t>(i * ldx + c)];
        ref += xv * src.w(r, c);
        bound += std::abs(xv) * src.magnitude(r, c);
      }
      ASSERT_NEAR(y[static_cast<size_t>(i * ldy + r)], ref,
                  4.0 * static_cast<double>(src.k + 4) * kEps * bound)
          << what << " at x row " << i << ", output " << r;
    }
    for (int64_t r = src.n; r < ldy; ++r) {
      ASSERT_EQ(y[static_cast<size_t>(i * ldy + r)], y0[static_cast<size_t>(i * ldy + r)])
          << what << ": wrote past n";
    }
  }
}

TEST(QuantizedNibbleBlocks, EveryVariantMatchesFloat64AndGeneric) {
  const Case cases[] = {
      {1, 16, 128, 128, false},  {1, 17, 4096, 128, false}, {1, 33, 300, 128, true},
      {1, 40, 257, 257, false},  {2, 31, 512, 256, true},   {3, 48, 130, 128, false},
      {4, 20, 384, 128, true},   {5, 7, 1000, 128, false},  {7, 50, 640, 640, true},
      {13, 35, 200, 128, true},  {40, 64, 256, 128, false}, {65, 18, 129, 128, true},
  };
  const bool avx2 = detected_isa() >= Isa::kAvx2, avx512 = detected_isa() >= Isa::kAvx512;
  if (!avx512) std::printf("skipping the AVX-512 variant: this CPU has no AVX-512\n");
  uint32_t seed = 100;
  for (const Case& cs : cases) {
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      const Int4Source src(cs.n, cs.k, cs.group_size, cs.zero_points, seed++);
      const QuantizedWeights w = src.pack(&pool);
      ASSERT_TRUE(simd_supports(w));
      const int64_t ldx = cs.k + 3, ldy = cs.n + 5;
      const auto x = random_x(cs.m * ldx, seed++);
      const auto y0 = random_x(cs.m * ldy, seed++);
      const std::string what = "m=" + std::to_string(cs.m) + " n=" + std::to_string(cs.n) +
                               " k=" + std::to_string(cs.k) + " g=" + std::to_string(cs.group_size) +
                               (cs.zero_points ? " asym" : "") + " threads=" +
                               std::to_string(threads);
      for (bool accumulate : {false, true}) {
        std::vector<float> yg = y0;
        auto args = prepare_quantized_matmul(pool, x.data(), cs.m, ldx, w, yg.data(), ldy,
                                             accumulate, false);
        generic::quantized_matmul(pool, args);
        const std::vector<float> base = accumulate ? y0 : std::vector<float>(y0.size(), 0.0f);
        // Outputs past n keep y0 whatever `accumulate` says.
        std::vector<float> expect0 = base;
        for (int64_t i = 0; i < cs.m; ++i) {
          for (int64_t r = cs.n; r < ldy; ++r) {
            expect0[static_cast<size_t>(i * ldy + r)] = y0[static_cast<size_t>(i * ldy + r)];
          }
        }
        expect_product(src, x, ldx, cs.m, yg, ldy, expect0, "generic " + what);
        for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
          if ((isa == Isa::kAvx2 && !avx2) || (isa == Isa::kAvx512 && !avx512)) continue;
          std::vector<float> ys = y0;
          args.y = ys.data();
          if (isa == Isa::kAvx2) {
            avx2::quantized_matmul(pool, args);
          } else {
            avx512::quantized_matmul(pool, args);
          }
          const std::string name = std::string(isa_name(isa)) + " " + what;
          expect_product(src, x, ldx, cs.m, ys, ldy, expect0, name);
        }
      }
    }
  }
}

// Symmetric weights with scales and x that make every product and partial sum exact: the result
// is exact on the active ISA (on AVX-512 this checks the table entries (u - 8)·s are).
TEST(QuantizedNibbleBlocks, ExactWhereEveryProductIsExact) {
  Int4Source src(16, 128, 128, false, 9);
  for (float& s : src.s) s = 0.25f;
  std::vector<float> x(128);
  for (int c = 0; c < 128; ++c) x[static_cast<size_t>(c)] = static_cast<float>(c % 5 - 2);
  ThreadPool pool(1);
  const QuantizedWeights w = src.pack();
  std::vector<float> y(16);
  quantized_matmul(pool, x.data(), 1, 128, w, y.data(), 16, false);
  for (int64_t r = 0; r < 16; ++r) {
    double ref = 0;
    for (int64_t c = 0; c < 128; ++c) ref += x[static_cast<size_t>(c)] * src.w(r, c);
    EXPECT_EQ(y[static_cast<size_t>(r)], ref) << r;
  }
}

}  // namespace
}  // namespace infermark::cpu
