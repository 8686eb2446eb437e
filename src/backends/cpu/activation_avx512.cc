// AVX-512 swiglu (see activation.h): activation_avx2.cc with 16 lanes, the tail masked.
#include <immintrin.h>

#include "backends/cpu/activation.h"
#include "backends/cpu/simd_avx512.h"

// GCC 12's AVX-512 intrinsics start from an "undefined" vector that -W(maybe-)uninitialized
// reports once inlined: a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace infermark::cpu::avx512 {

void swiglu(const float* gate, int64_t ldg, const float* up, int64_t ldu, int64_t rows, int64_t d,
            float* out, int64_t ldo) {
  const __m512 one = _mm512_set1_ps(1.0f);
  for (int64_t i = 0; i < rows; ++i) {
    const float* g = gate + i * ldg;
    const float* u = up + i * ldu;
    float* o = out + i * ldo;
    for (int64_t j = 0; j < d; j += 16) {
      const auto m = static_cast<__mmask16>(d - j >= 16 ? 0xffffu : (1u << (d - j)) - 1u);
      const __m512 gv = _mm512_maskz_loadu_ps(m, g + j);
      const __m512 den = _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), gv)));
      _mm512_mask_storeu_ps(o + j, m,
                            _mm512_mul_ps(_mm512_div_ps(gv, den), _mm512_maskz_loadu_ps(m, u + j)));
    }
  }
}

}  // namespace infermark::cpu::avx512
