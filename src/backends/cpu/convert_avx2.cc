// AVX2 + F16C widening of bf16 / f16 rows to f32 (see convert.h; compiled with -mavx2 -mfma
// -mf16c, internal linkage only): 8 elements per step, the tail through a zero-padded vector.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/convert.h"

namespace infermark::cpu::avx2 {
namespace {

inline __m256 widen8(const uint16_t* p, FloatType type) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  if (type == FloatType::kF16) return _mm256_cvtph_ps(v);
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(v), 16));
}

}  // namespace

void to_f32_half(const uint16_t* src, FloatType type, int64_t n, float* dst) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, widen8(src + i, type));
  if (i == n) return;
  alignas(32) uint16_t in[8] = {};
  alignas(32) float out[8];
  for (int64_t j = i; j < n; ++j) in[j - i] = src[j];
  _mm256_store_ps(out, widen8(in, type));
  for (int64_t j = i; j < n; ++j) dst[j] = out[j - i];
}

}  // namespace infermark::cpu::avx2
