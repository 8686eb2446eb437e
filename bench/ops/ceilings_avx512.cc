// AVX-512 FMA probe for ceilings.h, compiled with -mavx512f.
#include <immintrin.h>

#include "ceilings.h"

namespace infermark::bench::avx512 {

float fma_chains(long long iters) {
  __m512 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (long long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm512_fmadd_ps(a[i], m, c);
  }
  __m512 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, a[i]);
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  float sum = 0;
  for (float v : out) sum += v;
  return sum;
}

}  // namespace infermark::bench::avx512
