// Quantized linear-layer weights in the one host form every loader hands to a backend, whatever
// the checkpoint's format (compressed-tensors int-quantized / pack-quantized / float-quantized,
// or a bf16 checkpoint quantized on load). The backend repacks it once into its kernels' layout
// (`pack_quantized`, like `pack` for float weights); `matmul` (matmul.h) then runs on the result.
//
// A weight W is [rows = out_features, cols = in_features], row-major. Its real value is
//   W[r, c] = (q[r, c] - zero_point[r, g]) * scale[r, g],   g = c / group_size,
// with one value per byte in `values` (int4 is unpacked here: the checkpoint's nibble packing is
// the loader's business), `zero_points` empty for symmetric schemes (zero point 0), and
// `group_size == cols` for per-channel scales. FP8 stores e4m3 bit patterns (sign, 4 exponent
// bits with bias 7, 3 mantissa bits; no infinities, S.1111.111 is NaN) with per-channel scales
// or one per-tensor scale (`scales.size() == 1`, group_size == cols).
//
// Value ranges the backend may assume (the loader validates them): kInt8 q in [-128, 127];
// kInt4 q in [-8, 7] symmetric or [0, 15] with zero points in [0, 15]; kInt8 zero points in
// [-128, 127]. Scales are finite and > 0.
//
// Activations: kFloat keeps them f32 (weight-only, "W8A16/W4A16"); kInt8PerToken quantizes each
// row of x to int8 with its own scale (max |x| / 127) inside matmul (W8A8 with kInt8 weights,
// W4A8 with kInt4 weights, symmetric or with zero points; not kFp8E4M3).
//
// Views only: nothing here owns memory; the spans must stay valid for the pack_quantized call.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "ops/backend.h"

namespace infermark::ops {

class PackedMatrix;

enum class WeightFormat { kFloat, kInt8, kInt4, kFp8E4M3 };
enum class ActivationFormat { kFloat, kInt8PerToken };

std::string_view to_string(WeightFormat f);      // "float", "int8", "int4", "fp8-e4m3"
std::string_view to_string(ActivationFormat f);  // "f32", "int8-per-token"

struct QuantizedWeight {
  WeightFormat format = WeightFormat::kInt8;
  ActivationFormat activations = ActivationFormat::kFloat;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t group_size = 0;  // columns per scale; == cols for per-channel / per-tensor
  std::span<const int8_t> values;       // rows * cols (fp8: the e4m3 bytes)
  std::span<const float> scales;        // rows * ceil(cols / group_size), or 1 (per-tensor)
  std::span<const int8_t> zero_points;  // empty, or one per scale
};

// W[r, c] as a float (the formula above); for references and tests.
float dequantized(const QuantizedWeight& w, int64_t r, int64_t c);

// Packs the parts (same format, activations, cols and group_size), concatenated along rows, for
// the backend's device, as `pack` does for float weights. Validates the parts' shapes and spans
// (IM_CHECK: the loader has already rejected bad files with an Error naming them).
PackedMatrix pack_quantized(Backend& backend, std::span<const QuantizedWeight> parts);

}  // namespace infermark::ops
