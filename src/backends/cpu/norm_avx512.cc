// AVX-512 rms_norm rows (see norm.h): norm_avx2.cc with 16 lanes, the tail masked.
#include <immintrin.h>
#include <math.h>

#include "backends/cpu/norm.h"

// GCC 12's AVX-512 reductions start from an "undefined" vector that -W(maybe-)uninitialized
// reports once inlined: a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace infermark::cpu::avx512 {

void rms_norm(const float* x, int64_t ldx, const float* weight, float eps, int64_t rows, int64_t d,
              float* out, int64_t ldo) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * ldx;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t j = 0;
    for (; j + 64 <= d; j += 64) {
      const __m512 a = _mm512_loadu_ps(xr + j), b = _mm512_loadu_ps(xr + j + 16);
      const __m512 c = _mm512_loadu_ps(xr + j + 32), e = _mm512_loadu_ps(xr + j + 48);
      s0 = _mm512_fmadd_ps(a, a, s0);
      s1 = _mm512_fmadd_ps(b, b, s1);
      s2 = _mm512_fmadd_ps(c, c, s2);
      s3 = _mm512_fmadd_ps(e, e, s3);
    }
    for (; j < d; j += 16) {
      const auto m = static_cast<__mmask16>(d - j >= 16 ? 0xffffu : (1u << (d - j)) - 1u);
      const __m512 a = _mm512_maskz_loadu_ps(m, xr + j);
      s0 = _mm512_fmadd_ps(a, a, s0);
    }
    const float ss =
        _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    const __m512 vinv = _mm512_set1_ps(1.0f / sqrtf(ss / static_cast<float>(d) + eps));
    float* o = out + i * ldo;
    for (j = 0; j < d; j += 16) {
      const auto m = static_cast<__mmask16>(d - j >= 16 ? 0xffffu : (1u << (d - j)) - 1u);
      const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, xr + j), vinv);
      _mm512_mask_storeu_ps(o + j, m, _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, weight + j)));
    }
  }
}

}  // namespace infermark::cpu::avx512
