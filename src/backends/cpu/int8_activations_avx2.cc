// AVX2 per-token int8 quantization (compiled with -mavx2; called only when the CPU has it). 8
// columns per step; a tail of fewer goes through a zero-padded copy. vcvtps2dq rounds half to
// even (the default MXCSR mode, as nearbyint) and turns a NaN into INT_MIN, which the clamp
// makes -127. Same rules as matmul_avx2.cc: all internal linkage, no shared inline functions.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/int8_activations.h"

namespace infermark::cpu::avx2 {
namespace {

// 8 quantized values of x · inv, clamped to [-127, 127], as i32 lanes.
inline __m256i quantize8(__m256 x, __m256 inv) {
  const __m256i i = _mm256_cvtps_epi32(_mm256_mul_ps(x, inv));
  return _mm256_min_epi32(_mm256_max_epi32(i, _mm256_set1_epi32(-127)), _mm256_set1_epi32(127));
}

// The 8 i32 lanes (each in [-127, 127]) as bytes, xor 0x80 (= + 128 as u8) when offset.
inline int64_t pack8(__m256i i, bool offset) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
  __m128i b = _mm_packs_epi16(w, w);
  if (offset) b = _mm_xor_si128(b, _mm_set1_epi8(static_cast<char>(0x80)));
  return _mm_cvtsi128_si64(b);
}

}  // namespace

float row_amax(const float* x, int64_t k) {
  const __m256 abs_bits = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 mx = _mm256_setzero_ps();
  int64_t c = 0;
  // max_ps returns its second operand when either is NaN: NaNs are skipped.
  for (; c + 8 <= k; c += 8)
    mx = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + c), abs_bits), mx);
  if (c < k) {
    alignas(32) float tail[8] = {};
    for (int64_t j = c; j < k; ++j) tail[j - c] = x[j];
    mx = _mm256_max_ps(_mm256_and_ps(_mm256_load_ps(tail), abs_bits), mx);
  }
  __m128 v = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
  v = _mm_max_ps(v, _mm_movehl_ps(v, v));
  v = _mm_max_ss(v, _mm_shuffle_ps(v, v, 1));
  return _mm_cvtss_f32(v);
}

int32_t quantize_span(const float* x, int64_t n, float inv_scalar, bool offset, int8_t* q) {
  const __m256 inv = _mm256_set1_ps(inv_scalar);
  __m256i sum = _mm256_setzero_si256();
  int64_t c = 0;
  for (; c + 8 <= n; c += 8) {
    const __m256i i = quantize8(_mm256_loadu_ps(x + c), inv);
    sum = _mm256_add_epi32(sum, i);
    const int64_t bytes = pack8(i, offset);
    __builtin_memcpy(q + c, &bytes, 8);
  }
  if (c < n) {
    alignas(32) float tail[8] = {};
    for (int64_t j = c; j < n; ++j) tail[j - c] = x[j];
    // The padded lanes quantize to 0 and add nothing to the sum.
    const __m256i i = quantize8(_mm256_load_ps(tail), inv);
    sum = _mm256_add_epi32(sum, i);
    const int64_t bytes = pack8(i, offset);
    __builtin_memcpy(q + c, &bytes, static_cast<size_t>(n - c));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

}  // namespace infermark::cpu::avx2
