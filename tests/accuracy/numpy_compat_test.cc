// numpy-compatible aggregation: pairwise summation order, numpy's rounding (which differs from
// Python's round() on floats) and Python's float repr.
#include "accuracy/numpy_compat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace infermark::accuracy {
namespace {

TEST(NumpyCompat, PairwiseSumDiffersFromNaiveLoopLikeNumpy) {
  // 1 followed by many tiny values: a left-to-right loop loses them all, pairwise does not.
  std::vector<double> v(1024, 1e-16);
  v[0] = 1.0;
  double naive = 0;
  for (double x : v) naive += x;
  EXPECT_EQ(naive, 1.0);
  EXPECT_GT(numpy_sum(v), 1.0);
  EXPECT_EQ(numpy_sum(std::vector<double>{1, 2, 3}), 6.0);
  EXPECT_TRUE(std::isnan(numpy_mean({})));
  EXPECT_EQ(numpy_mean(std::vector<double>{0.25, 0.75}), 0.5);
}

TEST(NumpyCompat, RoundsLikeNumpyNotLikePython) {
  // Python's round(2.675, 2) is 2.67 (the double is below the tie); numpy scales first:
  // 2.675 * 100 == 267.5 exactly, and rint gives 268.
  EXPECT_EQ(numpy_round(2.675, 2), 2.68);
  EXPECT_EQ(numpy_round(3.20755, 4), 3.2076);
  EXPECT_EQ(numpy_round(0.5, 0), 0.0);  // ties to even
  EXPECT_EQ(numpy_round(1.5, 0), 2.0);
}

TEST(NumpyCompat, PythonRepr) {
  EXPECT_EQ(python_float_repr(38.7321), "38.7321");
  EXPECT_EQ(python_float_repr(40.0), "40.0");
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(1e-05), "1e-05");
  EXPECT_EQ(python_float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(mlperf_score_string(std::vector<double>{0.387321, 0.387321}), "38.7321");
}

}  // namespace
}  // namespace infermark::accuracy
