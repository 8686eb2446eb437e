#include "loadgen/early_stopping.h"

#include <cmath>
#include <iterator>

namespace infermark::loadgen {
namespace {

double lbeta(double x, double y) { return std::lgamma(x) + std::lgamma(y) - std::lgamma(x + y); }

// The hypergeometric series F(b, c, x) = sum_i prod_{j<i} (b+j) x / (c+j), summed until a term
// falls to 2^-33 or below.
double hypergeometric(double b, double c, double x) {
  double term = 1.0, result = 1.0;
  for (int i = 0; std::fabs(term) > std::ldexp(1.0, -33); ++i) {
    term *= (b + i) * x / (c + i);
    result += term;
  }
  return result;
}

double odds(int64_t h, int64_t t, double p, double d) {
  return beta_regularized(p - d, static_cast<double>(h), static_cast<double>(1 + t));
}

int64_t find_min_passing(int64_t lo, int64_t hi, int64_t t, double p, double d, double c) {
  int64_t count = hi - lo;
  while (count > 0) {
    const int64_t step = count / 2;
    const int64_t h = lo + step;
    if (odds(h, t, p, d) < 1 - c) {
      count = step;
    } else {
      lo = h + 1;
      count -= step + 1;
    }
  }
  return lo;
}

}  // namespace

double beta_regularized(double x, double a, double b) {
  return std::exp(a * std::log(x) + (b - 1) * std::log(1 - x) - lbeta(a, b)) / a *
         hypergeometric(1 - b, 1 + a, x / (x - 1));
}

int64_t MinPassingQueriesFinder::operator()(int64_t t) {
  if (auto hit = cache_.find(t); hit != cache_.end()) return hit->second;
  int64_t x0 = -1, y0 = 0, x1 = 0;
  int64_t y1 = static_cast<int64_t>(std::ceil(std::log(1 - c_) / std::log(p_ - d_)));
  auto below = cache_.lower_bound(t);  // first entry >= t; entries before it are < t
  if (below != cache_.begin()) {
    auto prev = std::prev(below);
    x1 = prev->first;
    y1 = prev->second;
    if (prev != cache_.begin()) {
      auto prev2 = std::prev(prev);
      x0 = prev2->first;
      y0 = prev2->second;
    }
  }
  const double min_slope = (p_ - d_) / (1 - p_ + d_);
  const auto max_slope = static_cast<double>((y1 - y0) * (x1 - x0));
  const auto min_h = static_cast<int64_t>((t - x1) * min_slope + y1);
  const auto max_h = static_cast<int64_t>((t - x1) * max_slope + y1 + 1);
  const int64_t h = find_min_passing(min_h, max_h, t, p_, d_, c_);
  cache_[t] = h;
  return h;
}

}  // namespace infermark::loadgen
