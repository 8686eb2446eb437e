// AVX2/FMA rms_norm rows (see norm.h). f32 sum of squares in 4 vector accumulators.
#include <immintrin.h>
#include <math.h>

#include "backends/cpu/norm.h"
#include "backends/cpu/simd_avx2.h"

namespace infermark::cpu::avx2 {

void rms_norm(const float* x, int64_t ldx, const float* weight, float eps, int64_t rows, int64_t d,
              float* out, int64_t ldo) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * ldx;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t j = 0;
    for (; j + 32 <= d; j += 32) {
      const __m256 a = _mm256_loadu_ps(xr + j), b = _mm256_loadu_ps(xr + j + 8);
      const __m256 c = _mm256_loadu_ps(xr + j + 16), e = _mm256_loadu_ps(xr + j + 24);
      s0 = _mm256_fmadd_ps(a, a, s0);
      s1 = _mm256_fmadd_ps(b, b, s1);
      s2 = _mm256_fmadd_ps(c, c, s2);
      s3 = _mm256_fmadd_ps(e, e, s3);
    }
    for (; j + 8 <= d; j += 8) {
      const __m256 a = _mm256_loadu_ps(xr + j);
      s0 = _mm256_fmadd_ps(a, a, s0);
    }
    float ss = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; j < d; ++j) ss += xr[j] * xr[j];
    const float inv = 1.0f / sqrtf(ss / static_cast<float>(d) + eps);
    const __m256 vinv = _mm256_set1_ps(inv);
    float* o = out + i * ldo;
    j = 0;
    for (; j + 8 <= d; j += 8) {
      const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(xr + j), vinv);
      _mm256_storeu_ps(o + j, _mm256_mul_ps(v, _mm256_loadu_ps(weight + j)));
    }
    for (; j < d; ++j) o[j] = xr[j] * inv * weight[j];
  }
}

}  // namespace infermark::cpu::avx2
