// Weight quantization as compressed-tensors / llm-compressor does it, into the host form of
// ops/quantized.h, and compressed-tensors' int32 packing. Used to quantize a float checkpoint
// on load (`--quantize`), to write quantized checkpoints (`make-model --quantize`) and by the
// loader to unpack `pack-quantized` tensors.
//
// Quantizer (compressed-tensors utils/helpers.py), per row and group of `group_size` columns:
//   symmetric:  scale = max|x| / ((qmax - qmin) / 2)   (int8: /127.5, int4: /7.5), zp = 0
//   asymmetric: range widened to include 0; scale = (max - min) / (2^bits - 1),
//               zp = clamp(round(qmin - min / scale))
//   fp8 e4m3:   scale = max|x| / 448
// scales clamped to >= FLT_EPSILON, then q = clamp(round_half_even(x / scale + zp), qmin, qmax)
// (fp8: x / scale rounded to the nearest e4m3, ties to even). So int8 q may be -128, never 128.
// `round_scale`, when given, rounds each scale before it is used (a writer storing BF16 scales
// quantizes with the BF16 value it stores).
//
// Host-form ranges (ops/quantized.h): int8 q and zero points in [-128, 127]; int4 symmetric q in
// [-8, 7]; int4 asymmetric stores q + 8 and zp + 8, both in [0, 15] (the same difference).
// Pure functions; cost one pass over the weights.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ops/quantized.h"

namespace infermark::model {

// The owning host form of one quantized matrix; view() is what ops::pack_quantized takes.
struct QuantizedMatrix {
  ops::WeightFormat format = ops::WeightFormat::kInt8;
  ops::ActivationFormat activations = ops::ActivationFormat::kFloat;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t group_size = 0;  // == cols for per-channel scales
  std::vector<int8_t> values;
  std::vector<float> scales;  // rows * groups()
  std::vector<int8_t> zero_points;

  int64_t groups() const { return (cols + group_size - 1) / group_size; }
  ops::QuantizedWeight view() const;
};

using ScaleRounding = float (*)(float);

// Quantizes a float [rows, cols] row-major matrix to `bits` (4 or 8) int values with a scale per
// row and group of `group_size` columns (0 = per channel).
QuantizedMatrix quantize_int(std::span<const float> w, int64_t rows, int64_t cols, int bits,
                             int64_t group_size, bool symmetric, ScaleRounding round_scale = nullptr);

// Quantizes to FP8 e4m3 with a scale per row, or one for the tensor (`per_tensor`; the host form
// then holds that scale once per row).
QuantizedMatrix quantize_fp8(std::span<const float> w, int64_t rows, int64_t cols, bool per_tensor,
                             ScaleRounding round_scale = nullptr);

// `--quantize NAME` on a float checkpoint: the weights of every layer Linear quantized at load
// with the quantizer above, symmetric: "int8" (per channel, f32 activations), "w8a8" (the same
// weights, dynamic per-token int8 activations), "int4" (group 128), "w4a8" (the same int4
// weights, dynamic per-token int8 activations), "fp8" (e4m3 per channel).
// The embedding stays as stored; lm_head too unless LoadOptions::quantize_lm_head says otherwise.
struct LoadQuantization {
  std::string name;
  ops::WeightFormat weights = ops::WeightFormat::kInt8;
  ops::ActivationFormat activations = ops::ActivationFormat::kFloat;
  int64_t group_size = 0;  // 0 = per channel
};

// nullopt for a name other than those above.
std::optional<LoadQuantization> load_quantization(std::string_view name);
inline constexpr std::string_view kLoadQuantizationNames = "int8, w8a8, int4, w4a8, fp8";

// Quantizes a float [rows, cols] matrix as `q` says.
QuantizedMatrix quantize_for_load(const LoadQuantization& q, std::span<const float> w,
                                  int64_t rows, int64_t cols);

// float -> OCP FP8 e4m3 bits, nearest with ties to even; saturates at +-448; NaN -> 0x7f.
uint8_t f32_to_f8e4m3(float x);

// compressed-tensors pack_to_int32 along a row: value i of `values` (signed, `bits` wide) is
// stored offset-unsigned (v + 2^(bits-1)) at bits [bits * (i % pf), ...) of word i / pf,
// pf = 32 / bits; the last word's unused bits are 0. `out` has ceil(n / pf) words.
void pack_int32(std::span<const int8_t> values, int bits, std::span<int32_t> out);

// The inverse: the offset-unsigned field i of `words` (in [0, 2^bits)), for i < out.size().
void unpack_int32(std::span<const int32_t> words, int bits, std::span<uint8_t> out);

}  // namespace infermark::model
