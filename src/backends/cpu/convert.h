// Conversions between f32 and the stored float types, and the embedding lookup (a gather of
// table rows widened to f32). Memory-bound. Widening bf16 / f16 has AVX2 and AVX-512 variants,
// chosen by active_isa(); the rest are plain loops the compiler vectorises.
#pragma once

#include <cstdint>

#include "backends/cpu/float_type.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {

// dst[i] = float(src[i]) for i < n; src holds elements of `type`.
void to_f32(const void* src, FloatType type, int64_t n, float* dst);

// dst[i] = src[i] rounded to `type` (nearest even) for i < n.
void from_f32(const float* src, int64_t n, FloatType type, void* dst);

// out[i, 0:d] = float(table[ids[i], 0:d]) for i < n. The table has rows of `type` elements at
// stride ld (elements); every id must be a valid row (checked by the caller).
void embedding(ThreadPool& pool, const void* table, FloatType type, int64_t ld, int64_t d,
               const int32_t* ids, int64_t n, float* out, int64_t ldo);

namespace avx2 {
// to_f32 for bf16 / f16 (`type` is one of them). Requires AVX2 + F16C.
void to_f32_half(const uint16_t* src, FloatType type, int64_t n, float* dst);
}  // namespace avx2
namespace avx512 {
// to_f32 for bf16 / f16 (`type` is one of them). Requires AVX-512 F/BW/VL.
void to_f32_half(const uint16_t* src, FloatType type, int64_t n, float* dst);
}  // namespace avx512

}  // namespace infermark::cpu
