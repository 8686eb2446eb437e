// Peer test: mean, rounding and printing agree bit for bit with numpy (Debian python3-numpy) on
// F-measure-like data, including MLPerf's dataset sizes and values at rounding ties.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "accuracy/numpy_compat.h"
#include "python_peer.h"
#include "util/json.h"

namespace infermark::accuracy {
namespace {

std::string hex_of(double x) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%a", x);
  return buf;
}

// Python's float.hex() format, e.g. "0x1.8000000000000p-1".
std::string python_hex(double x) {
  if (x == 0) return std::signbit(x) ? "-0x0.0p+0" : "0x0.0p+0";
  int exp;
  const double m = std::frexp(std::fabs(x), &exp);  // m in [0.5, 1)
  const auto bits = static_cast<uint64_t>(std::ldexp(m, 53)) & ((uint64_t{1} << 52) - 1);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s0x1.%013llxp%+d", x < 0 ? "-" : "",
                static_cast<unsigned long long>(bits), exp - 1);
  return buf;
}

TEST(NumpyCompatPeer, MeanRoundAndReprMatchNumpy) {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<int> len(1, 200);
  std::vector<std::vector<double>> arrays;
  for (size_t n : {1u, 2u, 7u, 8u, 9u, 15u, 16u, 17u, 127u, 128u, 129u, 255u, 256u, 1000u, 4096u,
                   5000u, 13368u, 20001u}) {
    std::vector<double> a(n);
    for (double& x : a) {  // ratios of small integers, like precision/recall/F
      const int den = len(rng);
      x = static_cast<double>(std::uniform_int_distribution<int>(0, den)(rng)) / den;
      x = 2 * x * 0.5 / (x + 0.5);
    }
    arrays.push_back(std::move(a));
  }
  std::vector<double> values;
  std::uniform_int_distribution<int> digits(0, 999999);
  for (int i = 0; i < 3000; ++i) {  // ties and near-ties at the 4th decimal
    const double base = digits(rng) / 10000.0 + 0.00005;
    values.push_back(base);
    values.push_back(std::nextafter(base, 0.0));
    values.push_back(std::nextafter(base, 200.0));
  }
  for (double v : {0.0, 1.0, 40.0, 100.0, 0.0001, 12.5, 38.7321, 0.1 + 0.2}) values.push_back(v);

  testing::TempDir tmp;
  util::Json input = {{"arrays", arrays}, {"values", values}};
  testing::write_text(tmp.path() / "in.json", input.dump());
  const std::string out = testing::run_python(testing::peer_script("numpy_agg.py"),
                                              testing::quoted(tmp.path() / "in.json"));
  ASSERT_FALSE(out.empty());
  const util::Json expected = util::parse_json(out, "numpy peer output");
  for (size_t i = 0; i < arrays.size(); ++i) {
    EXPECT_EQ(python_hex(numpy_mean(arrays[i])), expected["means"][i].get<std::string>())
        << "array of " << arrays[i].size() << " (" << hex_of(numpy_mean(arrays[i])) << ")";
    EXPECT_EQ(mlperf_score_string(arrays[i]), expected["scores"][i].get<std::string>());
  }
  size_t mismatches = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string ours = python_float_repr(numpy_round(values[i], 4));
    const std::string repr = python_float_repr(values[i]);
    if ((ours != expected["rounds"][i].get<std::string>() ||
         repr != expected["reprs"][i].get<std::string>()) &&
        ++mismatches <= 10) {
      ADD_FAILURE() << hex_of(values[i]) << ": numpy " << expected["rounds"][i] << " / "
                    << expected["reprs"][i] << ", ours " << ours << " / " << repr;
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << values.size();
}

}  // namespace
}  // namespace infermark::accuracy
