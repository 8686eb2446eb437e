// Quantized weights for the ops tests: random host forms of every format (ops/quantized.h) and
// float64 references of x · W^T on their dequantized values, with error bounds.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ops/quantized.h"

namespace infermark::ops::testing {

// What to generate: format, activations, zero points (int8 / int4), group size (0: per
// channel), one per-tensor scale.
struct QuantSpec {
  WeightFormat format = WeightFormat::kInt8;
  ActivationFormat activations = ActivationFormat::kFloat;
  bool zero_points = false;
  int64_t group_size = 0;
  bool per_tensor = false;

  std::string name() const {
    std::string s = std::string(to_string(format)) + "/" + std::string(to_string(activations));
    if (zero_points) s += "/asym";
    if (per_tensor) s += "/per-tensor";
    if (group_size > 0) s += "/g" + std::to_string(group_size);
    return s;
  }
};

// A random quantized weight with its storage. Values cover the format's whole range (int8 -128
// included; fp8 every finite byte); scales are in [0.5, 2] / 64.
class HostQuantized {
 public:
  HostQuantized(const QuantSpec& spec, int64_t rows, int64_t cols, uint32_t seed) {
    std::mt19937 rng(seed);
    w_.format = spec.format;
    w_.activations = spec.activations;
    w_.rows = rows;
    w_.cols = cols;
    w_.group_size = spec.group_size > 0 ? std::min(spec.group_size, cols) : cols;
    const int64_t groups = (cols + w_.group_size - 1) / w_.group_size;
    values_.resize(static_cast<size_t>(rows * cols));
    const bool int4 = spec.format == WeightFormat::kInt4;
    std::uniform_int_distribution<int> value(int4 ? (spec.zero_points ? 0 : -8) : -128,
                                             int4 ? (spec.zero_points ? 15 : 7) : 127);
    for (int8_t& v : values_) {
      int x = value(rng);
      // fp8: every byte but the two NaNs.
      while (spec.format == WeightFormat::kFp8E4M3 && (x & 0x7f) == 0x7f) x = value(rng);
      v = static_cast<int8_t>(x);
    }
    std::uniform_real_distribution<float> scale(0.5f / 64, 2.0f / 64);
    scales_.resize(spec.per_tensor ? 1 : static_cast<size_t>(rows * groups));
    for (float& s : scales_) s = scale(rng);
    if (spec.zero_points) {
      std::uniform_int_distribution<int> zero(int4 ? 0 : -128, int4 ? 15 : 127);
      zero_points_.resize(scales_.size());
      for (int8_t& z : zero_points_) z = static_cast<int8_t>(zero(rng));
    }
    w_.values = values_;
    w_.scales = scales_;
    w_.zero_points = zero_points_;
  }

  const QuantizedWeight& weight() const { return w_; }
  QuantizedWeight& weight() { return w_; }
  std::vector<int8_t>& values() { return values_; }
  double at(int64_t r, int64_t c) const { return dequantized(w_, r, c); }
  int64_t rows() const { return w_.rows; }
  // |stored value| + |zero point| + 8 times the scale: what bounds the terms a kernel sums for
  // this weight (it may split (q - z)·s into q·s and -z·s, int4 stores q + 8).
  double magnitude(int64_t r, int64_t c) const {
    const size_t i = static_cast<size_t>(r * w_.cols + c);
    const size_t si =
        scales_.size() == 1
            ? 0
            : static_cast<size_t>(r * ((w_.cols + w_.group_size - 1) / w_.group_size) +
                                  c / w_.group_size);
    const double z = zero_points_.empty() ? 0 : std::abs(zero_points_[si]);
    const double q = w_.format == WeightFormat::kFp8E4M3 ? std::abs(at(r, c)) / scales_[si]
                                                         : std::abs(values_[i]);
    return (q + z + 8) * scales_[si];
  }

 private:
  QuantizedWeight w_;
  std::vector<int8_t> values_;
  std::vector<float> scales_;
  std::vector<int8_t> zero_points_;
};

// x rounded to int8 per row as matmul does for kInt8PerToken (the contract, written
// independently here): s = max|x| / 127, q = round-half-even(x · 127 / max|x|).
inline std::vector<double> int8_per_token(const std::vector<float>& x, int64_t m, int64_t k,
                                          int64_t ldx) {
  std::vector<double> out(static_cast<size_t>(m * k));
  for (int64_t i = 0; i < m; ++i) {
    float amax = 0;
    for (int64_t c = 0; c < k; ++c)
      amax = std::max(amax, std::abs(x[static_cast<size_t>(i * ldx + c)]));
    const float inv = amax > 0 ? 127.0f / amax : 0.0f;
    for (int64_t c = 0; c < k; ++c) {
      const float q = std::nearbyint(x[static_cast<size_t>(i * ldx + c)] * inv);
      out[static_cast<size_t>(i * k + c)] = static_cast<double>(q) * (amax / 127.0f);
    }
  }
  return out;
}

}  // namespace infermark::ops::testing
