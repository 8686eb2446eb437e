// AVX-512 widening of bf16 / f16 rows to f32 (see convert.h; compiled with the AVX-512 flags,
// internal linkage only): 16 elements per step, the tail with masked loads and stores.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/convert.h"

// GCC 12's AVX-512 conversions start from an "undefined" vector that -W(maybe-)uninitialized
// reports once inlined: a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace infermark::cpu::avx512 {

void to_f32_half(const uint16_t* src, FloatType type, int64_t n, float* dst) {
  for (int64_t i = 0; i < n; i += 16) {
    const int64_t left = n - i;
    const auto mask = static_cast<__mmask16>(left >= 16 ? 0xffffu : (1u << left) - 1u);
    const __m256i v = _mm256_maskz_loadu_epi16(mask, src + i);
    const __m512 f = type == FloatType::kF16
                         ? _mm512_cvtph_ps(v)
                         : _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(v), 16));
    _mm512_mask_storeu_ps(dst + i, mask, f);
  }
}

}  // namespace infermark::cpu::avx512
