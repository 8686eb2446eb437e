// AVX2/FMA swiglu (see activation.h): silu through the vectorised exp of simd_avx2.h.
#include <immintrin.h>
#include <math.h>

#include "backends/cpu/activation.h"
#include "backends/cpu/simd_avx2.h"

namespace infermark::cpu::avx2 {

void swiglu(const float* gate, int64_t ldg, const float* up, int64_t ldu, int64_t rows, int64_t d,
            float* out, int64_t ldo) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (int64_t i = 0; i < rows; ++i) {
    const float* g = gate + i * ldg;
    const float* u = up + i * ldu;
    float* o = out + i * ldo;
    int64_t j = 0;
    for (; j + 8 <= d; j += 8) {
      const __m256 gv = _mm256_loadu_ps(g + j);
      const __m256 den = _mm256_add_ps(one, exp(_mm256_sub_ps(_mm256_setzero_ps(), gv)));
      _mm256_storeu_ps(o + j, _mm256_mul_ps(_mm256_div_ps(gv, den), _mm256_loadu_ps(u + j)));
    }
    for (; j < d; ++j) o[j] = g[j] / (1.0f + expf(-g[j])) * u[j];
  }
}

}  // namespace infermark::cpu::avx2
