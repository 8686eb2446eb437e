// AVX-512 per-token int8 quantization (compiled with -mavx512f -mavx512bw; called only when the
// CPU has them). Intrinsics are the zero-masked forms with a full mask: GCC 12's unmasked ones
// warn of an uninitialised value in its own headers. 16 columns per step, the tail under a mask;
// vcvtps2dq rounds half to even (the default MXCSR mode, as nearbyint) and turns a NaN into
// INT_MIN, which the clamp makes -127. Same rules as matmul_avx2.cc: all internal linkage, no
// shared inline functions.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/int8_activations.h"

namespace infermark::cpu::avx512 {
namespace {

// Σ of the 16 i32 lanes (stored and added, as GCC 12's reduce intrinsics use unmasked forms).
int32_t lane_sum(__m512i v) {
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, v);
  int32_t s = 0;
  for (int j = 0; j < 16; ++j) s += lanes[j];
  return s;
}

inline __mmask16 tail_mask(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1u);
}

}  // namespace

float row_amax(const float* x, int64_t k) {
  __m512 mx = _mm512_setzero_ps();
  for (int64_t c = 0; c < k; c += 16) {
    const __m512 v = _mm512_maskz_loadu_ps(tail_mask(k - c), x + c);
    // max_ps returns its second operand when either is NaN: NaNs are skipped.
    mx = _mm512_maskz_max_ps(0xffff, _mm512_abs_ps(v), mx);
  }
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, mx);
  float m = lanes[0];
  for (int j = 1; j < 16; ++j) m = lanes[j] > m ? lanes[j] : m;  // no NaN left in the lanes
  return m;
}

int32_t quantize_span(const float* x, int64_t n, float inv_scalar, bool offset, int8_t* q) {
  const __m512 inv = _mm512_set1_ps(inv_scalar);
  const __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127);
  const __m512i bias = _mm512_set1_epi32(offset ? 128 : 0);
  __m512i sum = _mm512_setzero_si512();
  for (int64_t c = 0; c < n; c += 16) {
    const __mmask16 m = tail_mask(n - c);
    const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + c), inv);
    __m512i i = _mm512_maskz_cvtps_epi32(0xffff, v);
    i = _mm512_maskz_min_epi32(m, _mm512_maskz_max_epi32(0xffff, i, lo), hi);
    sum = _mm512_add_epi32(sum, i);
    _mm512_mask_cvtepi32_storeu_epi8(q + c, m, _mm512_add_epi32(i, bias));
  }
  return lane_sum(sum);
}

}  // namespace infermark::cpu::avx512
