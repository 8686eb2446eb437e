#include "ops/quantized.h"

#include "backends/cpu/fp8.h"
#include "ops/matmul.h"
#include "util/error.h"

namespace infermark::ops {
namespace {

int64_t n_groups(const QuantizedWeight& w) { return (w.cols + w.group_size - 1) / w.group_size; }

// Index of W[r, c]'s scale (and zero point).
size_t scale_index(const QuantizedWeight& w, int64_t r, int64_t c) {
  if (w.scales.size() == 1) return 0;
  return static_cast<size_t>(r * n_groups(w) + c / w.group_size);
}

void check_part(const QuantizedWeight& w, const QuantizedWeight& first) {
  IM_CHECK(w.format == first.format && w.activations == first.activations);
  IM_CHECK(w.cols == first.cols && w.group_size == first.group_size);
  IM_CHECK(w.format != WeightFormat::kFloat);
  IM_CHECK(w.activations == ActivationFormat::kFloat || w.format == WeightFormat::kInt8 ||
           w.format == WeightFormat::kInt4);
  IM_CHECK(w.rows > 0 && w.cols > 0 && w.group_size >= 1 && w.group_size <= w.cols);
  IM_CHECK(w.values.size() == static_cast<size_t>(w.rows * w.cols));
  const bool per_tensor = w.scales.size() == 1 && w.group_size == w.cols;
  IM_CHECK(per_tensor || w.scales.size() == static_cast<size_t>(w.rows * n_groups(w)));
  IM_CHECK(w.zero_points.empty() || w.zero_points.size() == w.scales.size());
  IM_CHECK(w.zero_points.empty() || w.format != WeightFormat::kFp8E4M3);
}

}  // namespace

std::string_view to_string(WeightFormat f) {
  switch (f) {
    case WeightFormat::kFloat:
      return "float";
    case WeightFormat::kInt8:
      return "int8";
    case WeightFormat::kInt4:
      return "int4";
    case WeightFormat::kFp8E4M3:
      return "fp8-e4m3";
  }
  return "?";
}

std::string_view to_string(ActivationFormat f) {
  switch (f) {
    case ActivationFormat::kFloat:
      return "f32";
    case ActivationFormat::kInt8PerToken:
      return "int8-per-token";
  }
  return "?";
}

float dequantized(const QuantizedWeight& w, int64_t r, int64_t c) {
  IM_CHECK(r >= 0 && r < w.rows && c >= 0 && c < w.cols);
  const int8_t v = w.values[static_cast<size_t>(r * w.cols + c)];
  const size_t si = scale_index(w, r, c);
  const float zero = w.zero_points.empty() ? 0.0f : static_cast<float>(w.zero_points[si]);
  const float q = w.format == WeightFormat::kFp8E4M3 ? cpu::e4m3_to_f32(static_cast<uint8_t>(v))
                                                     : static_cast<float>(v);
  return (q - zero) * w.scales[si];
}

PackedMatrix pack_quantized(Backend& backend, std::span<const QuantizedWeight> parts) {
  IM_CHECK(!parts.empty());
  int64_t rows = 0;
  for (const QuantizedWeight& p : parts) {
    check_part(p, parts[0]);
    rows += p.rows;
  }
  PackedMatrix out = backend.pack_quantized(parts);
  IM_CHECK(out.device() == backend.device() && out.rows() == rows && out.cols() == parts[0].cols);
  IM_CHECK(out.weight_format() == parts[0].format &&
           out.activation_format() == parts[0].activations);
  return out;
}

}  // namespace infermark::ops
