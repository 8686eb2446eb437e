#include "model/quantize.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>

#include "model/dtype.h"
#include "util/error.h"

namespace infermark::model {
namespace {

float clamp_scale(float s, ScaleRounding round_scale) {
  s = std::max(s, FLT_EPSILON);
  return round_scale ? std::max(round_scale(s), FLT_EPSILON) : s;
}

// The non-negative e4m3 values, codes 0x00..0x7e, increasing.
const std::array<float, 127>& e4m3_magnitudes() {
  static const auto table = [] {
    std::array<float, 127> t{};
    for (size_t c = 0; c < t.size(); ++c) t[c] = f8e4m3_to_f32(static_cast<uint8_t>(c));
    return t;
  }();
  return table;
}

}  // namespace

ops::QuantizedWeight QuantizedMatrix::view() const {
  ops::QuantizedWeight w;
  w.format = format, w.activations = activations;
  w.rows = rows, w.cols = cols, w.group_size = group_size;
  w.values = values, w.scales = scales, w.zero_points = zero_points;
  return w;
}

uint8_t f32_to_f8e4m3(float x) {
  if (std::isnan(x)) return 0x7f;
  const uint8_t sign = std::signbit(x) ? 0x80 : 0;
  const float a = std::min(std::abs(x), 448.0f);
  const auto& t = e4m3_magnitudes();
  const size_t hi = static_cast<size_t>(std::lower_bound(t.begin(), t.end(), a) - t.begin());
  if (hi == 0) return sign;
  const size_t lo = hi - 1;
  const float dlo = a - t[lo], dhi = t[hi] - a;
  const size_t code = dlo < dhi ? lo : dhi < dlo ? hi : (lo % 2 == 0 ? lo : hi);
  return static_cast<uint8_t>(sign | code);
}

QuantizedMatrix quantize_int(std::span<const float> w, int64_t rows, int64_t cols, int bits,
                             int64_t group_size, bool symmetric, ScaleRounding round_scale) {
  IM_CHECK(bits == 4 || bits == 8);
  IM_CHECK(static_cast<int64_t>(w.size()) == rows * cols && group_size >= 0);
  QuantizedMatrix m;
  m.format = bits == 4 ? ops::WeightFormat::kInt4 : ops::WeightFormat::kInt8;
  m.rows = rows, m.cols = cols, m.group_size = group_size > 0 ? group_size : cols;
  const int64_t groups = m.groups();
  const float qmin = -std::ldexp(1.0f, bits - 1), qmax = std::ldexp(1.0f, bits - 1) - 1;
  // Host form: int4 with zero points is stored +8 (q and zp in [0, 15]).
  const int offset = !symmetric && bits == 4 ? 8 : 0;
  m.values.resize(static_cast<size_t>(rows * cols));
  m.scales.resize(static_cast<size_t>(rows * groups));
  if (!symmetric) m.zero_points.resize(m.scales.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t c0 = g * m.group_size, c1 = std::min(cols, c0 + m.group_size);
      const float* x = w.data() + r * cols;
      float lo = 0, hi = 0;
      for (int64_t c = c0; c < c1; ++c) lo = std::min(lo, x[c]), hi = std::max(hi, x[c]);
      float scale, zp = 0;
      if (symmetric) {
        scale = clamp_scale(std::max(-lo, hi) / ((qmax - qmin) / 2), round_scale);
      } else {
        scale = clamp_scale((hi - lo) / (qmax - qmin), round_scale);
        zp = std::clamp(std::nearbyint(qmin - lo / scale), qmin, qmax);
        m.zero_points[static_cast<size_t>(r * groups + g)] = static_cast<int8_t>(zp + offset);
      }
      m.scales[static_cast<size_t>(r * groups + g)] = scale;
      for (int64_t c = c0; c < c1; ++c) {
        const float q = std::clamp(std::nearbyint(x[c] / scale + zp), qmin, qmax);
        m.values[static_cast<size_t>(r * cols + c)] = static_cast<int8_t>(q + offset);
      }
    }
  }
  return m;
}

QuantizedMatrix quantize_fp8(std::span<const float> w, int64_t rows, int64_t cols, bool per_tensor,
                             ScaleRounding round_scale) {
  IM_CHECK(static_cast<int64_t>(w.size()) == rows * cols);
  QuantizedMatrix m;
  m.format = ops::WeightFormat::kFp8E4M3;
  m.rows = rows, m.cols = cols, m.group_size = cols;
  m.values.resize(w.size());
  m.scales.resize(static_cast<size_t>(rows));
  auto absmax = [&](int64_t r0, int64_t r1) {
    float a = 0;
    for (int64_t i = r0 * cols; i < r1 * cols; ++i) a = std::max(a, std::abs(w[i]));
    return a;
  };
  const float tensor_scale = per_tensor ? clamp_scale(absmax(0, rows) / 448, round_scale) : 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float scale = per_tensor ? tensor_scale : clamp_scale(absmax(r, r + 1) / 448, round_scale);
    m.scales[static_cast<size_t>(r)] = scale;
    for (int64_t c = r * cols; c < (r + 1) * cols; ++c) {
      m.values[static_cast<size_t>(c)] = static_cast<int8_t>(f32_to_f8e4m3(w[c] / scale));
    }
  }
  return m;
}

std::optional<LoadQuantization> load_quantization(std::string_view name) {
  LoadQuantization q;
  q.name = std::string(name);
  if (name == "int8" || name == "w8a8") {
    q.weights = ops::WeightFormat::kInt8;
    if (name == "w8a8") q.activations = ops::ActivationFormat::kInt8PerToken;
  } else if (name == "int4" || name == "w4a8") {
    q.weights = ops::WeightFormat::kInt4;
    q.group_size = 128;
    if (name == "w4a8") q.activations = ops::ActivationFormat::kInt8PerToken;
  } else if (name == "fp8") {
    q.weights = ops::WeightFormat::kFp8E4M3;
  } else {
    return std::nullopt;
  }
  return q;
}

QuantizedMatrix quantize_for_load(const LoadQuantization& q, std::span<const float> w,
                                  int64_t rows, int64_t cols) {
  QuantizedMatrix m =
      q.weights == ops::WeightFormat::kFp8E4M3
          ? quantize_fp8(w, rows, cols, /*per_tensor=*/false)
          : quantize_int(w, rows, cols, q.weights == ops::WeightFormat::kInt4 ? 4 : 8,
                         std::min(q.group_size, cols), /*symmetric=*/true);
  m.activations = q.activations;
  return m;
}

void pack_int32(std::span<const int8_t> values, int bits, std::span<int32_t> out) {
  const size_t pf = static_cast<size_t>(32 / bits);
  IM_CHECK(out.size() == (values.size() + pf - 1) / pf);
  const uint32_t mask = (1u << bits) - 1, offset = 1u << (bits - 1);
  std::fill(out.begin(), out.end(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    const uint32_t u = (static_cast<uint32_t>(values[i]) + offset) & mask;
    out[i / pf] = static_cast<int32_t>(static_cast<uint32_t>(out[i / pf]) |
                                       (u << (bits * static_cast<int>(i % pf))));
  }
}

void unpack_int32(std::span<const int32_t> words, int bits, std::span<uint8_t> out) {
  const size_t pf = static_cast<size_t>(32 / bits);
  IM_CHECK(words.size() * pf >= out.size());
  const uint32_t mask = (1u << bits) - 1;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>((static_cast<uint32_t>(words[i / pf]) >>
                                   (bits * static_cast<int>(i % pf))) &
                                  mask);
  }
}

}  // namespace infermark::model
