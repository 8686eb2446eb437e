// AVX-512 rope rotation of one row (see rope.h): rope_avx2.cc with 16 lanes, the tail masked.
#include <immintrin.h>

#include "backends/cpu/rope.h"

namespace infermark::cpu::avx512 {

void rope_row(float* x, int n_heads, int head_dim, const float* cos, const float* sin) {
  const int half = head_dim / 2;
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + static_cast<int64_t>(h) * head_dim;
    for (int i = 0; i < half; i += 16) {
      const auto m = static_cast<__mmask16>(half - i >= 16 ? 0xffffu : (1u << (half - i)) - 1u);
      const __m512 a = _mm512_maskz_loadu_ps(m, v + i), b = _mm512_maskz_loadu_ps(m, v + i + half);
      const __m512 c = _mm512_maskz_loadu_ps(m, cos + i), s = _mm512_maskz_loadu_ps(m, sin + i);
      _mm512_mask_storeu_ps(v + i, m, _mm512_fmsub_ps(a, c, _mm512_mul_ps(b, s)));
      _mm512_mask_storeu_ps(v + i + half, m, _mm512_fmadd_ps(b, c, _mm512_mul_ps(a, s)));
    }
  }
}

}  // namespace infermark::cpu::avx512
