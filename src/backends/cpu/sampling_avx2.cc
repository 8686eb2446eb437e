// AVX2 argmax and softmax weights (see sampling.h; compiled with -mavx2 -mfma -mf16c, internal
// linkage only). argmax: two passes over the row: the largest non-NaN value (max_ps keeps its
// second operand when the first is NaN, so NaNs never enter the running maxima), then the first
// index holding it — the lowest index among ties, -0 and +0 comparing equal, as in the generic
// loop. No match at all means every entry is NaN: 0.
#include <immintrin.h>
#include <math.h>

#include <cstdint>

#include "backends/cpu/sampling.h"
#include "backends/cpu/simd_avx2.h"

namespace infermark::cpu::avx2 {

int32_t argmax(const float* x, int64_t n) {
  const __m256 ninf = _mm256_set1_ps(-__builtin_inff());
  __m256 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    m0 = _mm256_max_ps(_mm256_loadu_ps(x + i), m0);
    m1 = _mm256_max_ps(_mm256_loadu_ps(x + i + 8), m1);
    m2 = _mm256_max_ps(_mm256_loadu_ps(x + i + 16), m2);
    m3 = _mm256_max_ps(_mm256_loadu_ps(x + i + 24), m3);
  }
  float best = hmax(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
  for (; i < n; ++i) {
    if (x[i] > best) best = x[i];  // false for NaN
  }
  const __m256 b = _mm256_set1_ps(best);
  i = 0;
  for (; i + 8 <= n; i += 8) {
    const int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), b, _CMP_EQ_OQ));
    if (hit != 0) return static_cast<int32_t>(i + __builtin_ctz(static_cast<unsigned>(hit)));
  }
  for (; i < n; ++i) {
    if (x[i] == best) return static_cast<int32_t>(i);
  }
  return 0;
}

SoftmaxWeights softmax_weights(const float* logits, int64_t n, float inv_t, float* w) {
  const __m256 it = _mm256_set1_ps(inv_t), ninf = _mm256_set1_ps(-__builtin_inff());
  __m256 m0 = ninf, m1 = ninf;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {  // max_ps keeps the running maximum when the scaled logit is NaN
    m0 = _mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(logits + i), it), m0);
    m1 = _mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(logits + i + 8), it), m1);
  }
  SoftmaxWeights r{hmax(_mm256_max_ps(m0, m1)), 0.0};
  for (; i < n; ++i) {
    const float v = logits[i] * inv_t;
    if (v > r.max) r.max = v;  // false for NaN
  }
  const __m256 mx = _mm256_set1_ps(r.max);
  __m256d t0 = _mm256_setzero_pd(), t1 = t0;
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(logits + i), it);
    const __m256 finite = _mm256_cmp_ps(v, ninf, _CMP_GT_OQ);  // false for NaN and -inf
    const __m256 p = _mm256_and_ps(exp(_mm256_sub_ps(v, mx)), finite);
    _mm256_storeu_ps(w + i, p);
    t0 = _mm256_add_pd(t0, _mm256_cvtps_pd(_mm256_castps256_ps128(p)));
    t1 = _mm256_add_pd(t1, _mm256_cvtps_pd(_mm256_extractf128_ps(p, 1)));
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(t0, t1));
  r.total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; ++i) {
    const float v = logits[i] * inv_t;
    w[i] = v > -__builtin_inff() ? expf(v - r.max) : 0.0f;
    r.total += w[i];
  }
  return r;
}

}  // namespace infermark::cpu::avx2
