// Element types of checkpoint tensors (the safetensors dtype strings) and scalar conversions
// between the 16-bit float formats and float32.
//
// Weights are read as F32, F16 or BF16. F8_E4M3 is recognised (so an FP8 checkpoint is named as
// such in errors) and can be decoded, but weight binding does not accept it yet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace infermark::model {

enum class DType : uint8_t {
  kF64,
  kF32,
  kF16,
  kBF16,
  kF8E4M3,
  kF8E5M2,
  kI64,
  kI32,
  kI16,
  kI8,
  kU8,
  kBool,
};

// Bytes per element.
size_t dtype_size(DType t);

// The safetensors spelling: "F32", "BF16", "F8_E4M3", ...
std::string_view dtype_name(DType t);

// Parses a safetensors dtype string (exact, case-sensitive). nullopt if unknown.
std::optional<DType> parse_dtype(std::string_view name);

// True for the types a Llama weight may have: F32, F16, BF16.
bool is_weight_dtype(DType t);

// bf16 is the upper half of an IEEE float32.
inline float bf16_to_f32(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Round to nearest, ties to even (as PyTorch does); NaN stays a quiet NaN with its sign.
inline uint16_t f32_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

// IEEE binary16 <-> float32. f32_to_f16 rounds to nearest even, overflows to infinity and
// produces subnormals where needed.
float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);

// OCP FP8 E4M3 (bias 7, no infinities, S.1111.111 is NaN, max 448) to float32.
float f8e4m3_to_f32(uint8_t v);

// Converts `n` elements of type `t` starting at `src` (any alignment) to float32 in `dst`.
// `t` must be F32, F16, BF16 or F8_E4M3 (checked with IM_CHECK: callers decide the dtype is
// supported first).
void convert_to_f32(DType t, const std::byte* src, size_t n, float* dst);

}  // namespace infermark::model
