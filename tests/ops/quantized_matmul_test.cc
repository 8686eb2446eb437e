// ops::pack_quantized / ops::matmul on quantized weights, per ISA, against a float64 product of
// the dequantized weights (ops::dequantized): every format (int8 with -128, int4 symmetric and
// with zero points, fp8 e4m3 with subnormals, W8A8), per-channel, per-tensor and group scales
// (groups not dividing k), odd shapes covering each kernel path, fused parts, strided operands
// and accumulation, thread counts; the W8A8 and W4A8 extreme values; fp8 NaN; format names.
#include "backends/cpu/quantized_matmul.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/cpu_features.h"
#include "ops/matmul.h"
#include "ops/op_test_util.h"
#include "ops/quantized.h"
#include "ops/quantized_test_util.h"

namespace infermark::ops {
namespace {

using testing::HostQuantized;
using testing::kEpsF32;
using testing::QuantSpec;
using testing::random_floats;

struct Shape {
  int64_t m, n, k;
};

const QuantSpec kSpecs[] = {
    {WeightFormat::kInt8, ActivationFormat::kFloat, false, 0},
    {WeightFormat::kInt8, ActivationFormat::kFloat, true, 32},
    {WeightFormat::kInt8, ActivationFormat::kFloat, false, 0, true},
    {WeightFormat::kInt4, ActivationFormat::kFloat, false, 32},
    {WeightFormat::kInt4, ActivationFormat::kFloat, false, 0},
    {WeightFormat::kInt4, ActivationFormat::kFloat, true, 7},
    {WeightFormat::kInt4, ActivationFormat::kFloat, true, 128},
    {WeightFormat::kFp8E4M3, ActivationFormat::kFloat, false, 0},
    {WeightFormat::kFp8E4M3, ActivationFormat::kFloat, false, 0, true},
    {WeightFormat::kInt8, ActivationFormat::kInt8PerToken, false, 0},
    {WeightFormat::kInt8, ActivationFormat::kInt8PerToken, true, 0},
    {WeightFormat::kInt8, ActivationFormat::kInt8PerToken, false, 64},
    {WeightFormat::kInt8, ActivationFormat::kInt8PerToken, true, 12},
    {WeightFormat::kInt4, ActivationFormat::kInt8PerToken, false, 128},
    {WeightFormat::kInt4, ActivationFormat::kInt8PerToken, false, 0},
    {WeightFormat::kInt4, ActivationFormat::kInt8PerToken, false, 40},
    {WeightFormat::kInt4, ActivationFormat::kInt8PerToken, true, 32},
    {WeightFormat::kInt4, ActivationFormat::kInt8PerToken, false, 12},
};

// Checks y (ld ldy, first n columns) against y0 + xr · W^T in float64, where xr is x as the
// kernel sees it (int8-rounded for kInt8PerToken) and W the parts' dequantized rows
// concatenated. Tolerance: f32 summation of the terms a kernel may form (see magnitude()).
void expect_product(const std::vector<float>& x, int64_t ldx, const std::vector<HostQuantized*>& ws,
                    const std::vector<float>& y, int64_t ldy, const std::vector<float>* y0,
                    int64_t m, int64_t k, const std::string& what) {
  const bool int8_x = ws[0]->weight().activations == ActivationFormat::kInt8PerToken;
  std::vector<double> xr(static_cast<size_t>(m * k));
  if (int8_x) {
    xr = testing::int8_per_token(x, m, k, ldx);
  } else {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t c = 0; c < k; ++c)
        xr[static_cast<size_t>(i * k + c)] = x[static_cast<size_t>(i * ldx + c)];
    }
  }
  int64_t col = 0;
  for (const HostQuantized* w : ws) {
    for (int64_t j = 0; j < w->rows(); ++j, ++col) {
      for (int64_t i = 0; i < m; ++i) {
        double ref = y0 ? (*y0)[static_cast<size_t>(i * ldy + col)] : 0.0;
        double abs_sum = std::abs(ref);
        for (int64_t c = 0; c < k; ++c) {
          const double xv = xr[static_cast<size_t>(i * k + c)];
          ref += xv * w->at(j, c);
          abs_sum += std::abs(xv) * w->magnitude(j, c);
        }
        const double got = y[static_cast<size_t>(i * ldy + col)];
        ASSERT_NEAR(got, ref, 4.0 * static_cast<double>(k + 4) * kEpsF32 * abs_sum + 1e-30)
            << what << " at row " << i << " col " << col;
      }
    }
  }
}

class QuantizedMatmulTest : public testing::IsaTest {};

TEST_P(QuantizedMatmulTest, MatchesFloat64ReferenceForEveryFormatAndShape) {
  const Shape shapes[] = {{1, 1, 1},    {1, 17, 33},   {1, 40, 256},  {2, 16, 7},
                          {3, 50, 100}, {5, 33, 515},  {9, 31, 130},  {16, 40, 257},
                          {33, 20, 64}, {64, 35, 200}, {130, 18, 96}, {300, 33, 520}};
  uint32_t seed = 1;
  for (const QuantSpec& spec : kSpecs) {
    for (const Shape& s : shapes) {
      HostQuantized w(spec, s.n, s.k, seed++);
      const auto x = random_floats(static_cast<size_t>(s.m * s.k), -1, 1, seed++);
      std::vector<float> y(static_cast<size_t>(s.m * s.n), 1e30f);
      const PackedMatrix pw = pack_quantized(backend_, std::span(&w.weight(), 1));
      ASSERT_EQ(pw.rows(), s.n);
      ASSERT_EQ(pw.cols(), s.k);
      matmul(backend_, TensorView::of(x.data(), DType::kF32, {s.m, s.k}), pw,
             TensorView::of(y.data(), DType::kF32, {s.m, s.n}));
      const std::string what = spec.name() + " m=" + std::to_string(s.m) +
                               " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k);
      expect_product(x, s.k, {&w}, y, s.n, nullptr, s.m, s.k, what);
    }
  }
}

TEST_P(QuantizedMatmulTest, FusedPartsStridedOperandsAndAccumulate) {
  uint32_t seed = 500;
  for (const QuantSpec& spec : kSpecs) {
    for (int64_t m : {1, 4, 40}) {
      const int64_t k = 136, ldx = 150, ldy = 60;
      HostQuantized a(spec, 24, k, seed++), b(spec, 9, k, seed++), c(spec, 9, k, seed++);
      const QuantizedWeight parts[] = {a.weight(), b.weight(), c.weight()};
      const PackedMatrix pw = pack_quantized(backend_, parts);
      ASSERT_EQ(pw.rows(), 42);
      const auto x = random_floats(static_cast<size_t>(m * ldx), -2, 2, seed++);
      const auto y0 = random_floats(static_cast<size_t>(m * ldy), -1, 1, seed++);
      std::vector<float> y = y0;
      const TensorView xv = TensorView::of(x.data(), DType::kF32, {m, ldx}).slice(1, 0, k);
      const TensorView yv = TensorView::of(y.data(), DType::kF32, {m, ldy}).slice(1, 0, 42);
      matmul(backend_, xv, pw, yv, /*accumulate=*/true);
      expect_product(x, ldx, {&a, &b, &c}, y, ldy, &y0, m, k, spec.name());
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t col = 42; col < ldy; ++col) {
          ASSERT_EQ(y[static_cast<size_t>(i * ldy + col)], y0[static_cast<size_t>(i * ldy + col)]);
        }
      }
    }
  }
}

TEST_P(QuantizedMatmulTest, SameResultForAnyThreadCount) {
  uint32_t seed = 900;
  for (const QuantSpec& spec : kSpecs) {
    const int64_t m = 20, n = 100, k = 300;
    HostQuantized w(spec, n, k, seed++);
    const auto x = random_floats(static_cast<size_t>(m * k), -1, 1, seed++);
    std::vector<float> first;
    for (int threads : {1, 2, 3}) {
      CpuBackend backend(threads);
      const PackedMatrix pw = pack_quantized(backend, std::span(&w.weight(), 1));
      std::vector<float> y(static_cast<size_t>(m * n));
      matmul(backend, TensorView::of(x.data(), DType::kF32, {m, k}), pw,
             TensorView::of(y.data(), DType::kF32, {m, n}));
      if (first.empty()) first = y;
      EXPECT_EQ(y, first) << spec.name() << ", " << threads << " threads";
    }
  }
}

// W8A8 where every pair of products reaches the i16 limit of vpmaddubsw if handled naively:
// weights -128 and 127, activations ±max (int8 ±127). The i32 sums are exact, so the result is
// exactly s_x · s_w · Σ q_x q_w.
TEST_P(QuantizedMatmulTest, Int8ActivationsAtTheSaturationLimitAreExact) {
  const int64_t n = 32, k = 256;
  for (int64_t m : {1, 5, 64}) {
    std::vector<int8_t> values(static_cast<size_t>(n * k));
    for (int64_t r = 0; r < n; ++r) {
      for (int64_t c = 0; c < k; ++c) {
        values[static_cast<size_t>(r * k + c)] =
            static_cast<int8_t>(r % 2 == 0 || c % 3 == 0 ? -128 : 127);
      }
    }
    std::vector<float> scales(static_cast<size_t>(n), 1.0f / 1024);
    QuantizedWeight w{
        WeightFormat::kInt8, ActivationFormat::kInt8PerToken, n, k, k, values, scales, {}};
    std::vector<float> x(static_cast<size_t>(m * k));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t c = 0; c < k; ++c) {
        x[static_cast<size_t>(i * k + c)] = (i + c) % 4 == 0 ? 2.0f : -2.0f;  // q = ±127
      }
    }
    const PackedMatrix pw = pack_quantized(backend_, std::span(&w, 1));
    std::vector<float> y(static_cast<size_t>(m * n));
    matmul(backend_, TensorView::of(x.data(), DType::kF32, {m, k}), pw,
           TensorView::of(y.data(), DType::kF32, {m, n}));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t r = 0; r < n; ++r) {
        int64_t dot = 0;
        for (int64_t c = 0; c < k; ++c) {
          dot += ((i + c) % 4 == 0 ? 127 : -127) * values[static_cast<size_t>(r * k + c)];
        }
        const double want = static_cast<double>(dot) * (1.0 / 1024) * (2.0f / 127.0f);
        ASSERT_NEAR(y[static_cast<size_t>(i * n + r)], want, std::abs(want) * 4 * kEpsF32)
            << "m=" << m << " row " << i << " col " << r;
      }
    }
  }
}

// W4A8 at the extremes: weights -8 and 7 (stored 0 and 15), activations ±127, every group
// size kind. The i32 sums and the +8 correction are exact, so the result is exactly
// s_x · Σ_g s_g · Σ q_x q_w up to the f32 rounding of the scaling.
TEST_P(QuantizedMatmulTest, Int4WeightsWithInt8ActivationsAtTheExtremesAreExact) {
  const int64_t n = 33, k = 264;
  for (int64_t gs : {int64_t{128}, int64_t{8}, k, int64_t{12}}) {
    for (int64_t m : {1, 3, 17, 64}) {
      const int64_t groups = (k + gs - 1) / gs;
      std::vector<int8_t> values(static_cast<size_t>(n * k));
      for (int64_t r = 0; r < n; ++r) {
        for (int64_t c = 0; c < k; ++c) {
          values[static_cast<size_t>(r * k + c)] = static_cast<int8_t>((r + c) % 3 == 0 ? 7 : -8);
        }
      }
      std::vector<float> scales(static_cast<size_t>(n * groups));
      for (size_t i = 0; i < scales.size(); ++i) scales[i] = static_cast<float>(i % 5 + 1) / 256;
      QuantizedWeight w{
          WeightFormat::kInt4, ActivationFormat::kInt8PerToken, n, k, gs, values, scales, {}};
      std::vector<float> x(static_cast<size_t>(m * k));
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t c = 0; c < k; ++c) {
          x[static_cast<size_t>(i * k + c)] = (i * 5 + c) % 7 < 3 ? 2.0f : -2.0f;  // q = ±127
        }
      }
      const PackedMatrix pw = pack_quantized(backend_, std::span(&w, 1));
      std::vector<float> y(static_cast<size_t>(m * n));
      matmul(backend_, TensorView::of(x.data(), DType::kF32, {m, k}), pw,
             TensorView::of(y.data(), DType::kF32, {m, n}));
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t r = 0; r < n; ++r) {
          double want = 0, bound = 0;
          for (int64_t g = 0; g < groups; ++g) {
            int64_t dot = 0;
            for (int64_t c = g * gs; c < std::min(k, (g + 1) * gs); ++c) {
              dot += ((i * 5 + c) % 7 < 3 ? 127 : -127) * values[static_cast<size_t>(r * k + c)];
            }
            const double s = scales[static_cast<size_t>(r * groups + g)];
            want += static_cast<double>(dot) * s;
            bound += 16.0 * 127 * static_cast<double>(gs) * s;  // |Σ u·x| + |8·Σ x|, unsigned
          }
          want *= 2.0f / 127.0f;
          ASSERT_NEAR(y[static_cast<size_t>(i * n + r)], want,
                      4 * static_cast<double>(groups + 2) * kEpsF32 * bound * (2.0 / 127))
              << "gs=" << gs << " m=" << m << " row " << i << " col " << r;
        }
      }
    }
  }
}

TEST_P(QuantizedMatmulTest, Fp8NanWeightsGiveNanOutputsOnlyInTheirColumns) {
  const int64_t n = 20, k = 40;
  HostQuantized w({WeightFormat::kFp8E4M3}, n, k, 77);
  w.values()[static_cast<size_t>(3 * k + 5)] = 0x7f;
  w.values()[static_cast<size_t>(17 * k + 39)] = static_cast<int8_t>(0xff);
  const PackedMatrix pw = pack_quantized(backend_, std::span(&w.weight(), 1));
  for (int64_t m : {1, 6, 40}) {
    const auto x = random_floats(static_cast<size_t>(m * k), -1, 1, 78);
    std::vector<float> y(static_cast<size_t>(m * n));
    matmul(backend_, TensorView::of(x.data(), DType::kF32, {m, k}), pw,
           TensorView::of(y.data(), DType::kF32, {m, n}));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t r = 0; r < n; ++r) {
        EXPECT_EQ(std::isnan(y[static_cast<size_t>(i * n + r)]), r == 3 || r == 17)
            << "m=" << m << " row " << i << " col " << r;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, QuantizedMatmulTest, ::testing::ValuesIn(testing::isas()),
                         testing::isa_param_name);

// The CPU backend's packed form of w, built directly (for calling the kernel variants).
std::unique_ptr<cpu::QuantizedWeights> cpu_form(const QuantizedWeight& w, cpu::ThreadPool& pool) {
  const cpu::QuantizedPart part{w.values.data(), w.rows, w.scales.data(), w.scales.size(),
                                w.zero_points.empty() ? nullptr : w.zero_points.data()};
  const auto format = w.format == WeightFormat::kInt8   ? cpu::QuantFormat::kInt8
                      : w.format == WeightFormat::kInt4 ? cpu::QuantFormat::kInt4
                                                        : cpu::QuantFormat::kFp8E4M3;
  const auto layout = w.activations == ActivationFormat::kInt8PerToken
                          ? cpu::QuantLayout::kQuads
                          : cpu::QuantLayout::kRowLanes;
  return std::make_unique<cpu::QuantizedWeights>(format, layout, std::span(&part, 1), w.cols,
                                                 w.group_size, &pool);
}

// Each SIMD variant called directly against the generic one on the same prepared operands and
// against the float64 reference, including shapes where the kernels' row tiles, panel pairs and
// row blocks leave remainders.
TEST(QuantizedMatmulVariants, SimdMatchesGenericAndReference) {
  if (cpu::detected_isa() < cpu::Isa::kAvx2) GTEST_SKIP() << "no AVX2: only the generic kernel";
  const bool avx512 = cpu::detected_isa() >= cpu::Isa::kAvx512;
  if (!avx512) std::printf("skipping the AVX-512 variant: this CPU has no AVX-512 F/BW/VL\n");
  if (avx512 && !cpu::has_avx512_vnni()) {
    std::printf("skipping the AVX-512 W8A8 variant: this CPU has no AVX512-VNNI\n");
  }
  cpu::ThreadPool pool(2);
  uint32_t seed = 2000;
  const Shape shapes[] = {{1, 130, 2049}, {2, 33, 515},   {3, 20, 132},
                          {7, 77, 256},   {13, 40, 1001}, {17, 31, 260},
                          {64, 47, 389},  {100, 50, 300}, {260, 33, 512}};
  for (const QuantSpec& spec : kSpecs) {
    for (const Shape& s : shapes) {
      HostQuantized hw(spec, s.n, s.k, seed++);
      const auto cw = cpu_form(hw.weight(), pool);
      const cpu::QuantizedWeights& w = *cw;
      // int4 groups of an odd size run the generic kernel (tested per ISA above).
      if (!cpu::simd_supports(w)) continue;
      const auto x = random_floats(static_cast<size_t>(s.m * s.k), -3, 3, seed++);
      const size_t ny = static_cast<size_t>(s.m * s.n);
      std::vector<float> yg(ny), ya(ny), yg_off(ny), yz(ny);
      const std::string what = spec.name() + " m=" + std::to_string(s.m) +
                               " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k);
      auto args = cpu::prepare_quantized_matmul(pool, x.data(), s.m, s.k, w, yg.data(), s.n, false,
                                                /*xq_offset=*/false);
      cpu::generic::quantized_matmul(pool, args);
      args.y = ya.data();
      cpu::avx2::quantized_matmul(pool, args);
      expect_product(x, s.k, {&hw}, ya, s.n, nullptr, s.m, s.k, "avx2 " + what);
      const bool run512 =
          avx512 && (spec.activations == ActivationFormat::kFloat || cpu::has_avx512_vnni());
      if (run512) {
        // vpdpbusd's u8 operand: activations + 128 for int8 weights, the weights for int4.
        const bool xq_offset = spec.format == WeightFormat::kInt8;
        args = cpu::prepare_quantized_matmul(pool, x.data(), s.m, s.k, w, yg_off.data(), s.n, false,
                                             xq_offset);
        cpu::generic::quantized_matmul(pool, args);
        args.y = yz.data();
        cpu::avx512::quantized_matmul(pool, args);
        expect_product(x, s.k, {&hw}, yz, s.n, nullptr, s.m, s.k, "avx512 " + what);
      }
      for (size_t i = 0; i < ny; ++i) {
        // Same operands, different summation order: both within the f32 summation bound of the
        // terms, so within twice it of each other.
        double abs_sum = 0;
        for (int64_t c = 0; c < s.k; ++c) {
          abs_sum += std::abs(x[static_cast<size_t>((static_cast<int64_t>(i) / s.n) * s.k + c)]) *
                     hw.magnitude(static_cast<int64_t>(i) % s.n, c);
        }
        const double tol = 8.0 * static_cast<double>(s.k + 4) * kEpsF32 * abs_sum;
        ASSERT_NEAR(ya[i], yg[i], tol) << "avx2 " << what << " at " << i;
        if (run512) {
          ASSERT_EQ(yg_off[i], yg[i]) << "generic, u8 or s8 activations, " << what;
          ASSERT_NEAR(yz[i], yg[i], tol) << "avx512 " << what << " at " << i;
        }
      }
    }
  }
}

TEST(QuantizedWeight, DequantizesEveryFormatAsTheContractSays) {
  const int8_t values[] = {-128, 127, 0, -3, 5, 7};
  const float scales[] = {0.5f, 0.25f};
  const int8_t zeros[] = {-2, 3};
  QuantizedWeight w{WeightFormat::kInt8, ActivationFormat::kFloat, 2, 3, 3, values, scales, {}};
  EXPECT_EQ(dequantized(w, 0, 0), -64.0f);
  EXPECT_EQ(dequantized(w, 0, 1), 63.5f);
  EXPECT_EQ(dequantized(w, 1, 2), 1.75f);
  w.zero_points = zeros;
  EXPECT_EQ(dequantized(w, 0, 0), -63.0f);  // (-128 + 2) · 0.5
  EXPECT_EQ(dequantized(w, 1, 1), 0.5f);    // (5 - 3) · 0.25
  w.group_size = 2;                         // groups {0, 1}, {2}: scales per (row, group)
  const float group_scales[] = {1, 2, 3, 4};
  w.scales = group_scales;
  w.zero_points = {};
  EXPECT_EQ(dequantized(w, 0, 1), 127.0f);
  EXPECT_EQ(dequantized(w, 0, 2), 0.0f);
  EXPECT_EQ(dequantized(w, 1, 0), -9.0f);
  EXPECT_EQ(dequantized(w, 1, 2), 28.0f);
}

TEST(QuantizedWeight, DecodesFp8E4M3IncludingSubnormalsAndNan) {
  const struct {
    uint8_t bits;
    float value;
  } cases[] = {{0x00, 0.0f},        {0x01, 1.0f / 512}, {0x07, 7.0f / 512}, {0x08, 1.0f / 64},
               {0x38, 1.0f},        {0x3c, 1.5f},       {0x7e, 448.0f},     {0x80, -0.0f},
               {0x87, -7.0f / 512}, {0xb8, -1.0f},      {0xfe, -448.0f},    {0x40, 2.0f},
               {0x77, 240.0f},      {0x30, 0.5f}};
  const float scale = 2.0f;
  for (const auto& c : cases) {
    const auto v = static_cast<int8_t>(c.bits);
    QuantizedWeight w{WeightFormat::kFp8E4M3, ActivationFormat::kFloat, 1, 1, 1,
                      std::span(&v, 1),       std::span(&scale, 1),     {}};
    EXPECT_EQ(dequantized(w, 0, 0), 2 * c.value) << std::hex << int{c.bits};
    EXPECT_EQ(std::signbit(dequantized(w, 0, 0)), std::signbit(c.value)) << std::hex << int{c.bits};
  }
  for (uint8_t nan : {uint8_t{0x7f}, uint8_t{0xff}}) {
    const auto v = static_cast<int8_t>(nan);
    QuantizedWeight w{WeightFormat::kFp8E4M3, ActivationFormat::kFloat, 1, 1, 1,
                      std::span(&v, 1),       std::span(&scale, 1),     {}};
    EXPECT_TRUE(std::isnan(dequantized(w, 0, 0)));
  }
}

TEST(QuantizedWeight, PackedMatricesStateTheirFormats) {
  CpuBackend backend(1);
  const std::vector<float> f(64, 1.0f);
  const PackedMatrix fp = pack(backend, TensorView::of(f.data(), DType::kF32, {4, 16}));
  EXPECT_EQ(fp.weight_format(), WeightFormat::kFloat);
  EXPECT_EQ(fp.activation_format(), ActivationFormat::kFloat);
  for (const QuantSpec& spec : kSpecs) {
    HostQuantized w(spec, 4, 16, 1);
    const PackedMatrix qp = pack_quantized(backend, std::span(&w.weight(), 1));
    EXPECT_EQ(qp.weight_format(), spec.format) << spec.name();
    EXPECT_EQ(qp.activation_format(), spec.activations) << spec.name();
    EXPECT_GT(qp.bytes(), 0u);
  }
  EXPECT_EQ(to_string(WeightFormat::kFloat), "float");
  EXPECT_EQ(to_string(WeightFormat::kInt8), "int8");
  EXPECT_EQ(to_string(WeightFormat::kInt4), "int4");
  EXPECT_EQ(to_string(WeightFormat::kFp8E4M3), "fp8-e4m3");
  EXPECT_EQ(to_string(ActivationFormat::kFloat), "f32");
  EXPECT_EQ(to_string(ActivationFormat::kInt8PerToken), "int8-per-token");
}

}  // namespace
}  // namespace infermark::ops
