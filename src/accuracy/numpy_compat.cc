#include "accuracy/numpy_compat.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace infermark::accuracy {
namespace {

constexpr size_t kPairwiseBlock = 128;  // numpy's PW_BLOCKSIZE

double pairwise_sum(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= kPairwiseBlock) {
    double r[8];
    for (size_t k = 0; k < 8; ++k) r[k] = a[k];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (size_t k = 0; k < 8; ++k) r[k] += a[i + k];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

}  // namespace

double numpy_sum(std::span<const double> values) {
  // The reduction starts from the identity 0.0 and adds the pairwise sum of all elements.
  return 0.0 + pairwise_sum(values.data(), values.size());
}

double numpy_mean(std::span<const double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  return numpy_sum(values) / static_cast<double>(values.size());
}

double numpy_round(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::nearbyint(x * scale) / scale;
}

std::string python_float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  const double mag = std::fabs(x);
  if (x != 0 && (mag < 1e-4 || mag >= 1e16)) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific);
    std::string s(buf, end);
    // C++ writes "1e-05" as "1e-05" already; Python pads the exponent to two digits too.
    return s;
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::fixed);
  std::string s(buf, end);
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

std::string mlperf_score_string(std::span<const double> fmeasures) {
  return python_float_repr(numpy_round(numpy_mean(fmeasures) * 100, 4));
}

}  // namespace infermark::accuracy
