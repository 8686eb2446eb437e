// ops::pack / ops::matmul against a float64 product of the same (dtype-rounded) weights, for
// every weight dtype, shapes covering each kernel path (m = 1, small m, large m with row and
// column blocking, n and k not multiples of 16), strided operands, accumulation, fused parts,
// and pools of 1-3 threads; and the SIMD variant against the generic one directly.
#include "ops/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "backends/cpu/matmul.h"
#include "ops/op_test_util.h"

namespace infermark::ops {
namespace {

using testing::HostMatrix;
using testing::kEpsF32;
using testing::random_floats;

struct Shape {
  int64_t m, n, k;
};

// Worst-case bound of f32 summation of k products: k * u * sum |x w| (plus the add into y).
double bound(int64_t k, double abs_sum) {
  return 2.0 * static_cast<double>(k + 1) * kEpsF32 * abs_sum + 1e-30;
}

// Checks y (ld ldy) against y0 + x · W^T in float64 with the summation bound per element.
void expect_product(const std::vector<float>& x, int64_t ldx, const std::vector<HostMatrix*>& ws,
                    const std::vector<float>& y, int64_t ldy, const std::vector<float>* y0,
                    int64_t m, int64_t k, const std::string& what) {
  int64_t col = 0;
  for (const HostMatrix* w : ws) {
    for (int64_t j = 0; j < w->rows(); ++j, ++col) {
      for (int64_t i = 0; i < m; ++i) {
        double ref = y0 ? (*y0)[static_cast<size_t>(i * ldy + col)] : 0.0;
        double abs_sum = std::abs(ref);
        for (int64_t kk = 0; kk < k; ++kk) {
          const double p = x[static_cast<size_t>(i * ldx + kk)] * w->at(j, kk);
          ref += p;
          abs_sum += std::abs(p);
        }
        const double got = y[static_cast<size_t>(i * ldy + col)];
        ASSERT_NEAR(got, ref, bound(k, abs_sum)) << what << " at row " << i << " col " << col;
      }
    }
  }
}

class MatmulTest : public testing::IsaTest {};

TEST_P(MatmulTest, MatchesFloat64ReferenceForAllDtypesAndShapes) {
  const Shape shapes[] = {{1, 1, 1},      {1, 17, 33},    {1, 64, 2048}, {2, 16, 7},
                          {3, 50, 100},   {5, 33, 513},   {6, 48, 129},  {7, 31, 1100},
                          {13, 100, 300}, {15, 20, 64},   {16, 40, 257}, {31, 45, 1000},
                          {32, 70, 600},  {48, 97, 1300}, {49, 16, 130}, {250, 35, 777},
                          {487, 18, 40}};
  uint32_t seed = 1;
  for (DType dt : {DType::kF32, DType::kBF16, DType::kF16}) {
    for (const Shape& s : shapes) {
      HostMatrix w(dt, s.n, s.k, random_floats(static_cast<size_t>(s.n * s.k), -1, 1, seed++));
      const auto x = random_floats(static_cast<size_t>(s.m * s.k), -1, 1, seed++);
      std::vector<float> y(static_cast<size_t>(s.m * s.n), 1e30f);
      const PackedMatrix pw = pack(backend_, w.view());
      EXPECT_EQ(pw.rows(), s.n);
      EXPECT_EQ(pw.cols(), s.k);
      matmul(backend_, TensorView::of(x.data(), DType::kF32, {s.m, s.k}), pw,
             TensorView::of(y.data(), DType::kF32, {s.m, s.n}));
      const std::string what = std::string(dtype_name(dt)) + " m=" + std::to_string(s.m) +
                               " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k);
      expect_product(x, s.k, {&w}, y, s.n, nullptr, s.m, s.k, what);
    }
  }
}

TEST_P(MatmulTest, StridedOperandsAccumulateAndFusedParts) {
  // Three parts (like q, k, v) with row counts not multiple of 16; x and y are column ranges of
  // wider buffers; y starts with values the product is added to.
  for (DType dt : {DType::kF32, DType::kBF16, DType::kF16}) {
    for (int64_t m : {1, 4, 40}) {
      const int64_t k = 72, ldx = 90, ldy = 100, n_parts[] = {24, 9, 9};
      HostMatrix q(dt, n_parts[0], k, random_floats(static_cast<size_t>(n_parts[0] * k), -1, 1, 7));
      HostMatrix kk(dt, n_parts[1], k,
                    random_floats(static_cast<size_t>(n_parts[1] * k), -1, 1, 8));
      HostMatrix v(dt, n_parts[2], k, random_floats(static_cast<size_t>(n_parts[2] * k), -1, 1, 9));
      const TensorView parts[] = {q.view(), kk.view(), v.view()};
      const PackedMatrix pw = pack(backend_, parts);
      ASSERT_EQ(pw.rows(), 42);
      const auto x = random_floats(static_cast<size_t>(m * ldx), -1, 1, 10);
      const auto y0 = random_floats(static_cast<size_t>(m * ldy), -1, 1, 11);
      std::vector<float> y = y0;
      TensorView xv = TensorView::of(x.data(), DType::kF32, {m, ldx}).slice(1, 0, k);
      TensorView yv = TensorView::of(y.data(), DType::kF32, {m, ldy}).slice(1, 0, 42);
      matmul(backend_, xv, pw, yv, /*accumulate=*/true);
      expect_product(x, ldx, {&q, &kk, &v}, y, ldy, &y0, m, k, std::string(dtype_name(dt)));
      // Columns past the view are untouched.
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t c = 42; c < ldy; ++c) {
          ASSERT_EQ(y[static_cast<size_t>(i * ldy + c)], y0[static_cast<size_t>(i * ldy + c)]);
        }
      }
    }
  }
}

TEST_P(MatmulTest, SameResultForAnyThreadCount) {
  const int64_t m = 20, n = 100, k = 300;
  HostMatrix w(DType::kBF16, n, k, random_floats(static_cast<size_t>(n * k), -1, 1, 3));
  const auto x = random_floats(static_cast<size_t>(m * k), -1, 1, 4);
  std::vector<float> first;
  for (int threads : {1, 2, 3}) {
    CpuBackend backend(threads);
    const PackedMatrix pw = pack(backend, w.view());
    std::vector<float> y(static_cast<size_t>(m * n));
    matmul(backend, TensorView::of(x.data(), DType::kF32, {m, k}), pw,
           TensorView::of(y.data(), DType::kF32, {m, n}));
    if (first.empty()) first = y;
    // Each output column is computed by one thread with the same code: bit-identical.
    EXPECT_EQ(y, first) << threads << " threads";
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, MatmulTest, ::testing::ValuesIn(testing::isas()),
                         testing::isa_param_name);

TEST(MatmulVariants, SimdMatchesGenericWithinBound) {
  if (cpu::detected_isa() < cpu::Isa::kAvx2) GTEST_SKIP() << "no AVX2";
  const bool avx512 = cpu::detected_isa() >= cpu::Isa::kAvx512;
  cpu::ThreadPool pool(2);
  uint32_t seed = 100;
  const std::pair<DType, cpu::FloatType> types[] = {{DType::kF32, cpu::FloatType::kF32},
                                                    {DType::kBF16, cpu::FloatType::kBF16},
                                                    {DType::kF16, cpu::FloatType::kF16}};
  for (const auto& [dt, type] : types) {
    for (Shape s : {Shape{1, 130, 2049}, Shape{9, 77, 515}, Shape{64, 50, 300}, Shape{300, 70, 400}}) {
      HostMatrix w(dt, s.n, s.k, random_floats(static_cast<size_t>(s.n * s.k), -2, 2, seed++));
      const auto x = random_floats(static_cast<size_t>(s.m * s.k), -3, 3, seed++);
      const cpu::WeightPart part{w.view().data, s.n, s.k};
      const cpu::PackedWeights pw(type, std::span(&part, 1), s.k, &pool);
      std::vector<float> yg(static_cast<size_t>(s.m * s.n)), ya(yg.size()), yz(yg.size());
      cpu::generic::matmul(pool, cpu::matmul_args(x.data(), s.m, s.k, pw, yg.data(), s.n, false));
      cpu::avx2::matmul(pool, cpu::matmul_args(x.data(), s.m, s.k, pw, ya.data(), s.n, false));
      if (avx512) {
        cpu::avx512::matmul(pool, cpu::matmul_args(x.data(), s.m, s.k, pw, yz.data(), s.n, false));
      }
      for (int64_t i = 0; i < s.m; ++i) {
        for (int64_t j = 0; j < s.n; ++j) {
          double abs_sum = 0;
          for (int64_t kk = 0; kk < s.k; ++kk) {
            abs_sum += std::abs(x[static_cast<size_t>(i * s.k + kk)] * w.at(j, kk));
          }
          const size_t idx = static_cast<size_t>(i * s.n + j);
          if (avx512) {
            ASSERT_NEAR(yz[idx], yg[idx], 2 * bound(s.k, abs_sum)) << dtype_name(dt);
          }
          ASSERT_NEAR(ya[idx], yg[idx], 2 * bound(s.k, abs_sum)) << dtype_name(dt);
        }
      }
    }
  }
}

}  // namespace
}  // namespace infermark::ops
