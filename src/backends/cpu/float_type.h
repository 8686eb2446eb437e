// The floating-point element types CPU kernels read from memory (weights, embeddings, KV cache):
// f32, bfloat16 and IEEE f16. Activations are always f32.
#pragma once

#include <cstddef>
#include <cstdint>

namespace infermark::cpu {

enum class FloatType : uint8_t { kF32, kBF16, kF16 };

// `static`: SIMD translation units use it too (see CMakeLists.txt on shared inline functions).
static inline size_t float_type_size(FloatType type) { return type == FloatType::kF32 ? 4 : 2; }

}  // namespace infermark::cpu
