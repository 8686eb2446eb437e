// AVX-512 argmax and softmax weights: sampling_avx2.cc's passes with 16 lanes, tails masked.
// Compiled with the AVX-512 flags, internal linkage only.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/sampling.h"
#include "backends/cpu/simd_avx512.h"

// GCC 12's AVX-512 max and reductions start from an "undefined" vector that
// -Wmaybe-uninitialized reports once inlined: a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace infermark::cpu::avx512 {

int32_t argmax(const float* x, int64_t n) {
  const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
  __m512 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    m0 = _mm512_max_ps(_mm512_loadu_ps(x + i), m0);
    m1 = _mm512_max_ps(_mm512_loadu_ps(x + i + 16), m1);
    m2 = _mm512_max_ps(_mm512_loadu_ps(x + i + 32), m2);
    m3 = _mm512_max_ps(_mm512_loadu_ps(x + i + 48), m3);
  }
  float best = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3)));
  for (; i < n; ++i) {
    if (x[i] > best) best = x[i];  // false for NaN
  }
  const __m512 b = _mm512_set1_ps(best);
  i = 0;
  for (; i + 16 <= n; i += 16) {
    const __mmask16 hit = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + i), b, _CMP_EQ_OQ);
    if (hit != 0) return static_cast<int32_t>(i + __builtin_ctz(static_cast<unsigned>(hit)));
  }
  for (; i < n; ++i) {
    if (x[i] == best) return static_cast<int32_t>(i);
  }
  return 0;
}

SoftmaxWeights softmax_weights(const float* logits, int64_t n, float inv_t, float* w) {
  const __m512 it = _mm512_set1_ps(inv_t), ninf = _mm512_set1_ps(-__builtin_inff());
  auto tail = [n](int64_t i) {
    return static_cast<__mmask16>(n - i >= 16 ? 0xffffu : (1u << (n - i)) - 1u);
  };
  __m512 m0 = ninf;
  for (int64_t i = 0; i < n; i += 16) {  // lanes past n read as -inf; NaN keeps the maximum
    m0 = _mm512_max_ps(_mm512_mul_ps(_mm512_mask_loadu_ps(ninf, tail(i), logits + i), it), m0);
  }
  SoftmaxWeights r{_mm512_reduce_max_ps(m0), 0.0};
  const __m512 mx = _mm512_set1_ps(r.max);
  __m512d t0 = _mm512_setzero_pd(), t1 = t0;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail(i);
    const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, logits + i), it);
    const __mmask16 finite = m & _mm512_cmp_ps_mask(v, ninf, _CMP_GT_OQ);  // not NaN, not -inf
    const __m512 p = _mm512_maskz_mov_ps(finite, exp16(_mm512_sub_ps(v, mx)));
    _mm512_mask_storeu_ps(w + i, m, p);
    t0 = _mm512_add_pd(t0, _mm512_cvtps_pd(_mm512_castps512_ps256(p)));
    t1 = _mm512_add_pd(
        t1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(p), 1))));
  }
  r.total = _mm512_reduce_add_pd(_mm512_add_pd(t0, t1));
  return r;
}

}  // namespace infermark::cpu::avx512
