// LoadGen's early-stopping estimator (loadgen-behaviour.md §9.1): the smallest number of passing
// queries h such that, with t failures, the target percentile holds at 99% confidence. The
// arithmetic is evaluated in LoadGen's order with IEEE doubles so that the integers match.
#pragma once

#include <cstdint>
#include <map>

namespace infermark::loadgen {

// Finder with LoadGen's per-instance cache of (t -> h), used to bound later searches.
// Not thread-safe. Confidence 0.99 and tolerance 0 unless given.
class MinPassingQueriesFinder {
 public:
  MinPassingQueriesFinder(double percentile, double tolerance = 0.0, double confidence = 0.99)
      : p_(percentile), d_(tolerance), c_(confidence) {}
  int64_t operator()(int64_t t);

 private:
  double p_, d_, c_;
  std::map<int64_t, int64_t> cache_;
};

// Regularised incomplete beta I_x(a, b), computed as LoadGen does.
double beta_regularized(double x, double a, double b);

}  // namespace infermark::loadgen
